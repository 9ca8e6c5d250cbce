// The console's one TanStack Query client. Every query but the session's own is gated on the session query: it is
// enabled only while GET /v1/session's cached answer is a session, read when the query would fetch. So a signed-out
// console (a first visit, a sign-out, an expired session) sends no page query to be refused with 401.
import { QueryClient } from '@tanstack/react-query';

export const SESSION_KEY = ['session'] as const;

export const queryClient: QueryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 10_000, enabled: allowed },
  },
});

/** Whether a query may fetch now: the session's own always; any other only while signed in. */
export function allowed(query: { readonly queryKey: readonly unknown[] }): boolean {
  return query.queryKey[0] === SESSION_KEY[0] || queryClient.getQueryData<object | null>(SESSION_KEY) != null;
}
