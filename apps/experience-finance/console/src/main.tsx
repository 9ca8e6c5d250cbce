import { QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import type { ReactNode } from 'react';
import { queryClient } from './query-client';
import { router } from './router';
import { SessionProvider, useSession } from './session';
import './styles.css';

/** The router, told the session so its beforeLoad can send a signed-out visitor to sign in before any page loads. */
function Routes(): ReactNode {
  const { session } = useSession();
  return <RouterProvider router={router} context={{ session }} />;
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <SessionProvider>
        <Routes />
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
