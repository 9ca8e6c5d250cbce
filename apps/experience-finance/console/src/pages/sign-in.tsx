import { Navigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ErrorMessage } from '../components/ui';
import { useSession, useSignIn } from '../session';

/** Only same-origin paths, so a crafted link cannot send a signed-in user elsewhere. */
function safeRedirect(redirect: string | undefined): string {
  return redirect?.startsWith('/') && !redirect.startsWith('//') && !redirect.startsWith('/sign-in')
    ? redirect
    : '/';
}

export function SignInPage(): ReactNode {
  const { redirect } = useSearch({ from: '/sign-in' });
  const { session } = useSession();
  const signIn = useSignIn();
  const [apiKey, setApiKey] = useState('');
  if (session) return <Navigate to={safeRedirect(redirect)} replace />;
  return (
    <section className="sign-in">
      <h1>Sign in</h1>
      <p>Sign in with your Revline API key. The console shows what the key&apos;s roles allow.</p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          signIn.mutate(apiKey.trim());
        }}
      >
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          name="apiKey"
          type="password"
          autoComplete="current-password"
          required
          value={apiKey}
          onChange={(event) => {
            setApiKey(event.target.value);
          }}
        />
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <ErrorMessage error={signIn.error} />
    </section>
  );
}
