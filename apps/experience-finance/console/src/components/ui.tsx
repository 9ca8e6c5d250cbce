// Small shared pieces: loading and error states, cursor paging, money and status display.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';
import { formatMoney } from '../format';

export function Loading({ what }: { what: string }): ReactNode {
  return (
    <p role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorMessage({ error }: { error: unknown }): ReactNode {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? `${error.problem?.title ?? `Error ${error.status}`}: ${error.message}`
      : error instanceof Error
        ? error.message
        : 'Something went wrong.';
  return (
    <p role="alert" className="error">
      {text}
    </p>
  );
}

/** Cursor paging: the cursors of the pages already seen, so Previous works with forward-only cursors. */
export function usePager(resetKey: string): {
  cursor: string | undefined;
  page: number;
  next: (cursor: string) => void;
  previous: () => void;
} {
  const [state, setState] = useState<{ key: string; cursors: string[] }>({ key: resetKey, cursors: [] });
  const cursors = state.key === resetKey ? state.cursors : [];
  return {
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    next: (cursor) => {
      setState({ key: resetKey, cursors: [...cursors, cursor] });
    },
    previous: () => {
      setState({ key: resetKey, cursors: cursors.slice(0, -1) });
    },
  };
}

export function Pager({
  pager,
  nextCursor,
  label,
}: {
  pager: ReturnType<typeof usePager>;
  nextCursor: string | null | undefined;
  label: string;
}): ReactNode {
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={pager.page === 1} onClick={pager.previous}>
        Previous
      </button>
      <span>Page {pager.page}</span>
      <button
        type="button"
        disabled={!nextCursor}
        onClick={() => {
          if (nextCursor) pager.next(nextCursor);
        }}
      >
        Next
      </button>
    </nav>
  );
}

export function Money({
  minor,
  currency,
}: {
  minor: string | null | undefined;
  currency: string;
}): ReactNode {
  if (minor === null || minor === undefined) return <span>—</span>;
  return <span className="money">{formatMoney(minor, currency)}</span>;
}

export function Status({ value }: { value: string }): ReactNode {
  return (
    <span className={`status status-${value.replace(/[^a-z_-]/gi, '')}`}>{value.replace(/_/g, ' ')}</span>
  );
}
