// The signed-in session: read from GET /v1/session (the httpOnly cookie is invisible to scripts), created by
// POST /v1/session with an API key, revoked by DELETE /v1/session. Its effective roles decide which buttons show;
// the API enforces them regardless.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect } from 'react';
import type { ReactNode } from 'react';
import { api, ApiError, call, setCsrfToken, setOnUnauthorised } from './api/client';
import type { Schemas } from './api/client';
import { SESSION_KEY } from './query-client';

export type Session = Schemas['SessionDto'];
export type Role = Session['effectiveRoles'][number];

/** Another person's data must not show from the cache: drop every query but the session's own, which is observed. */
function forgetData(queryClient: ReturnType<typeof useQueryClient>): void {
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
}

async function readSession(): Promise<Session | null> {
  try {
    return await call(api.GET('/v1/session'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

interface SessionContextValue {
  session: Session | null;
  can: (role: Role) => boolean;
}

const SessionContext = createContext<SessionContextValue>({ session: null, can: () => false });

export function SessionProvider({ children }: { children: ReactNode }): ReactNode {
  const queryClient = useQueryClient();
  const query = useQuery({ queryKey: SESSION_KEY, queryFn: readSession, staleTime: Infinity, retry: false });
  const session = query.data ?? null;
  useEffect(() => {
    setCsrfToken(session?.csrfToken);
  }, [session]);
  useEffect(() => {
    setOnUnauthorised(() => {
      queryClient.setQueryData(SESSION_KEY, null);
    });
    return () => {
      setOnUnauthorised(undefined);
    };
  }, [queryClient]);
  if (query.isPending) return <p role="status">Loading the console…</p>;
  if (query.isError) return <p role="alert">The console cannot reach the API: {query.error.message}</p>;
  const value: SessionContextValue = {
    session,
    can: (role) => session?.effectiveRoles.includes(role) ?? false,
  };
  return <SessionContext value={value}>{children}</SessionContext>;
}

export function useSession(): SessionContextValue {
  return useContext(SessionContext);
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (apiKey: string) => call(api.POST('/v1/session', { body: { apiKey } })),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      forgetData(queryClient);
      queryClient.setQueryData(SESSION_KEY, session);
    },
  });
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      const { response } = await api.DELETE('/v1/session');
      if (!response.ok && response.status !== 401) throw new ApiError(response.status, undefined);
    },
    onSettled: () => {
      setCsrfToken(undefined);
      // Signed out first, so the queries dropped next are not sent again (they are gated on the session).
      queryClient.setQueryData(SESSION_KEY, null);
      forgetData(queryClient);
    },
  });
}
