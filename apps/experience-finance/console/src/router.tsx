// Routes: each page is its own lazily loaded chunk, so the first load carries only the shell and the current page.
import {
  Link,
  Navigate,
  Outlet,
  createRootRouteWithContext,
  createRoute,
  createRouter,
  lazyRouteComponent,
  redirect,
  useLocation,
} from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { Session } from './session';
import { useSession, useSignOut } from './session';

/** What every route's beforeLoad sees: the session from GET /v1/session, read once before the router renders. */
export interface RouterContext {
  session: Session | null;
}

type Search = Record<string, unknown>;
interface ContractsSearch {
  status?: 'in_sync' | 'in_flight' | 'parked' | 'failed';
  customer?: string;
  /** A Salesforce Order id: the contract that order booked, amended or renewed. */
  order?: string;
}
interface ExceptionsSearch {
  category?: string;
  status?: 'open' | 'retrying' | 'resolved';
  system?: 'salesforce' | 'billing' | 'erp' | 'revline';
  contractId?: string;
  age?: 'lt1h' | 'lt24h' | 'lt7d' | 'gte7d';
}
interface ReconciliationSearch {
  runId?: string;
  checkpoint?: 'salesforce-billing' | 'billing-erp' | 'contract-revenue' | 'lineage';
  /** Filters of the open breaks now. */
  contractId?: string;
  customerId?: string;
  category?: string;
}
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

const NAV = [
  ['/', 'Overview'],
  ['/contracts', 'Contracts'],
  ['/exceptions', 'Exceptions'],
  ['/reconciliation', 'Reconciliation'],
  ['/close', 'Close'],
  ['/revenue', 'Revenue'],
  ['/mappings', 'Mappings'],
] as const;

function Shell(): ReactNode {
  const { session } = useSession();
  const location = useLocation();
  const signOut = useSignOut();
  if (!session && location.pathname !== '/sign-in')
    return <Navigate to="/sign-in" search={{ redirect: location.href }} replace />;
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Revline finance console</span>
        {session && (
          <>
            <nav aria-label="Pages">
              <ul>
                {NAV.map(([to, label]) => (
                  <li key={to}>
                    <Link
                      to={to}
                      activeOptions={{ exact: to === '/' }}
                      activeProps={{ 'aria-current': 'page' }}
                    >
                      {label}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <div className="who">
              <span>
                Signed in as <strong>{session.name}</strong> ({session.effectiveRoles.join(', ')})
              </span>
              <button
                type="button"
                onClick={() => {
                  signOut.mutate();
                }}
              >
                Sign out
              </button>
            </div>
          </>
        )}
      </header>
      <main id="main">
        <Outlet />
      </main>
    </>
  );
}

const rootRoute = createRootRouteWithContext<RouterContext>()({
  // Signed out, every page but sign-in redirects before it loads, so no page's query is sent (and refused with 401).
  beforeLoad: ({ context, location }) => {
    if (!context.session && location.pathname !== '/sign-in')
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- TanStack Router's redirects are thrown
      throw redirect({ to: '/sign-in', search: { redirect: location.href }, replace: true });
  },
  component: Shell,
  notFoundComponent: () => (
    <>
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the overview</Link>
      </p>
    </>
  ),
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/sign-in',
  validateSearch: (search: Search): { redirect?: string } => ({ redirect: text(search.redirect) }),
  component: lazyRouteComponent(() => import('./pages/sign-in'), 'SignInPage'),
});

const overviewRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: lazyRouteComponent(() => import('./pages/overview'), 'OverviewPage'),
});

export const contractsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/contracts',
  validateSearch: (search: Search): ContractsSearch => ({
    status: text(search.status) as ContractsSearch['status'],
    customer: text(search.customer),
    order: text(search.order),
  }),
  component: lazyRouteComponent(() => import('./pages/contracts'), 'ContractsPage'),
});

export const contractRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/contracts/$contractId',
  component: lazyRouteComponent(() => import('./pages/contract'), 'ContractPage'),
});

export const exceptionsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/exceptions',
  validateSearch: (search: Search): ExceptionsSearch => ({
    category: text(search.category),
    status: text(search.status) as ExceptionsSearch['status'],
    system: text(search.system) as ExceptionsSearch['system'],
    contractId: text(search.contractId),
    age: text(search.age) as ExceptionsSearch['age'],
  }),
  component: lazyRouteComponent(() => import('./pages/exceptions'), 'ExceptionsPage'),
});

export const reconciliationRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/reconciliation',
  validateSearch: (search: Search): ReconciliationSearch => ({
    runId: text(search.runId),
    checkpoint: text(search.checkpoint) as ReconciliationSearch['checkpoint'],
    contractId: text(search.contractId),
    customerId: text(search.customerId),
    category: text(search.category),
  }),
  component: lazyRouteComponent(() => import('./pages/reconciliation'), 'ReconciliationPage'),
});

export const closeRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/close',
  validateSearch: (search: Search): { period?: string } => ({ period: text(search.period) }),
  component: lazyRouteComponent(() => import('./pages/close'), 'ClosePage'),
});

export const revenueRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/revenue',
  validateSearch: (search: Search): { from?: string; to?: string; currency?: string } => ({
    from: text(search.from),
    to: text(search.to),
    currency: text(search.currency),
  }),
  component: lazyRouteComponent(() => import('./pages/revenue'), 'RevenuePage'),
});

export const mappingsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/mappings',
  component: lazyRouteComponent(() => import('./pages/mappings'), 'MappingsPage'),
});

export const router = createRouter({
  routeTree: rootRoute.addChildren([
    signInRoute,
    overviewRoute,
    contractsRoute,
    contractRoute,
    exceptionsRoute,
    reconciliationRoute,
    closeRoute,
    revenueRoute,
    mappingsRoute,
  ]),
  defaultPreload: 'intent',
  context: { session: null },
});

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
