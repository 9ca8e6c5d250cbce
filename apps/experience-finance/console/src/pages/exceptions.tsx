import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import type { Schemas } from '../api/client';
import { ErrorMessage, Loading, Pager, Status, usePager } from '../components/ui';
import { formatAge, formatDateTime } from '../format';
import { AGE_BUCKETS } from '../age-buckets';
import type { AgeBucket } from '../age-buckets';
import { useSession } from '../session';

type Exception = Schemas['ExceptionDto'];

const SYSTEMS = ['salesforce', 'billing', 'erp', 'revline'] as const;

function Filters(): ReactNode {
  const search = useSearch({ from: '/exceptions' });
  const navigate = useNavigate({ from: '/exceptions' });
  return (
    <form
      className="filters"
      aria-label="Filter exceptions"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        const value = (name: string): string | undefined => {
          const raw = data.get(name);
          return typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
        };
        void navigate({
          search: {
            category: value('category'),
            status: value('status') as Exception['status'] | undefined,
            system: value('system') as Exception['system'] | undefined,
            contractId: value('contractId'),
            age: value('age') as AgeBucket | undefined,
          },
        });
      }}
    >
      <label htmlFor="category">Category</label>
      <input
        id="category"
        name="category"
        defaultValue={search.category ?? ''}
        placeholder="unmapped_product"
      />
      <label htmlFor="system">System</label>
      <select id="system" name="system" defaultValue={search.system ?? ''}>
        <option value="">any</option>
        {SYSTEMS.map((system) => (
          <option key={system}>{system}</option>
        ))}
      </select>
      <label htmlFor="age">Age</label>
      <select id="age" name="age" defaultValue={search.age ?? ''}>
        <option value="">any</option>
        {Object.entries(AGE_BUCKETS).map(([key, bucket]) => (
          <option key={key} value={key}>
            {bucket.label}
          </option>
        ))}
      </select>
      <label htmlFor="contract">Contract</label>
      <input id="contract" name="contractId" defaultValue={search.contractId ?? ''} />
      <label htmlFor="ex-status">Status</label>
      <select id="ex-status" name="status" defaultValue={search.status ?? 'open'}>
        <option value="open">open</option>
        <option value="retrying">retrying</option>
        <option value="resolved">resolved</option>
      </select>
      <button type="submit">Filter</button>
    </form>
  );
}

/** Who retried or resolved the exception and when, oldest first, as the API gives it to every finance role. */
function History({ exception }: { exception: Exception }): ReactNode {
  if (exception.history.length > 0)
    return (
      <ul className="history">
        {exception.history.map((entry, index) => (
          <li key={`${entry.at}-${String(index)}`}>
            {entry.actor} · {entry.action.replace('exception.', '')} · {formatDateTime(entry.at)}
            {entry.note ? `: ${entry.note}` : ''}
          </li>
        ))}
      </ul>
    );
  if (exception.resolution)
    return (
      <span>
        resolved {formatDateTime(exception.resolvedAt)}: {exception.resolution}
      </span>
    );
  if (exception.status === 'retrying') return <span>sent back for retry</span>;
  return <span>no operator action yet</span>;
}

export function ExceptionsPage(): ReactNode {
  const search = useSearch({ from: '/exceptions' });
  const { can } = useSession();
  const queryClient = useQueryClient();
  const pager = usePager(JSON.stringify(search));
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState('');
  const age = search.age ? AGE_BUCKETS[search.age] : undefined;
  const status = search.status ?? 'open';
  const query = useQuery({
    queryKey: ['exceptions', search, pager.cursor],
    queryFn: () =>
      call(
        api.GET('/v1/exceptions', {
          params: {
            query: {
              category: search.category,
              status,
              contractId: search.contractId,
              system: search.system,
              minAgeMinutes: age?.minAgeMinutes,
              maxAgeMinutes: age?.maxAgeMinutes,
              cursor: pager.cursor,
              limit: 100,
            },
          },
        }),
      ),
  });
  const done = (message: string) => {
    setSelected(new Set());
    setReason('');
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: ['exceptions'] });
  };
  const retry = useMutation({
    mutationFn: (ids: string[]) => call(api.POST('/v1/exceptions/retry', { body: { ids } })),
    onSuccess: (outcomes) => {
      const retrying = outcomes.filter((o) => o.outcome === 'retrying').length;
      done(`${retrying} of ${outcomes.length} exceptions sent back for retry.`);
    },
  });
  const resolve = useMutation({
    mutationFn: async ({ ids, why }: { ids: string[]; why: string }) => {
      for (const id of ids)
        await call(
          api.POST('/v1/exceptions/{id}/resolve', { params: { path: { id } }, body: { reason: why } }),
        );
      return ids.length;
    },
    onSuccess: (count) => {
      done(`${count} exceptions resolved.`);
    },
  });
  const items = query.data?.items ?? [];
  const operator = can('finance.operator');
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  return (
    <>
      <h1>Exceptions workbench</h1>
      <Filters />
      {operator && (
        <form
          className="actions"
          aria-label="Act on the selected exceptions"
          onSubmit={(event) => {
            event.preventDefault();
            resolve.mutate({ ids: [...selected], why: reason.trim() });
          }}
        >
          <span>{selected.size} selected</span>
          <button
            type="button"
            disabled={selected.size === 0 || retry.isPending}
            onClick={() => {
              retry.mutate([...selected]);
            }}
          >
            Retry selected
          </button>
          <label htmlFor="reason">Reason</label>
          <input
            id="reason"
            value={reason}
            minLength={3}
            required
            onChange={(event) => {
              setReason(event.target.value);
            }}
          />
          <button type="submit" disabled={selected.size === 0 || resolve.isPending}>
            Resolve selected
          </button>
        </form>
      )}
      <p role="status" aria-live="polite">
        {notice}
      </p>
      <ErrorMessage error={retry.error ?? resolve.error} />
      {query.isPending && <Loading what="exceptions" />}
      <ErrorMessage error={query.error} />
      {query.data && (
        <>
          <table>
            <caption>{status} exceptions</caption>
            <thead>
              <tr>
                {operator && (
                  <th scope="col">
                    <span className="visually-hidden">Select</span>
                  </th>
                )}
                <th scope="col">Category</th>
                <th scope="col">System</th>
                <th scope="col">Contract</th>
                <th scope="col">Reason</th>
                <th scope="col">Status</th>
                <th scope="col">Age</th>
                <th scope="col">Seen</th>
                <th scope="col">Who did what</th>
              </tr>
            </thead>
            <tbody>
              {items.length === 0 && (
                <tr>
                  <td colSpan={operator ? 9 : 8}>No exception matches.</td>
                </tr>
              )}
              {items.map((exception) => (
                <tr key={exception.id}>
                  {operator && (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Select ${exception.category} exception ${exception.id}`}
                        checked={selected.has(exception.id)}
                        onChange={(event) => {
                          toggle(exception.id, event.target.checked);
                        }}
                      />
                    </td>
                  )}
                  <td>{exception.category.replace(/_/g, ' ')}</td>
                  <td>{exception.system}</td>
                  <td>
                    {exception.contractId ? (
                      <Link to="/contracts/$contractId" params={{ contractId: exception.contractId }}>
                        {exception.contractId}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{exception.reason}</td>
                  <td>
                    <Status value={exception.status} />
                  </td>
                  <td>{formatAge(exception.ageMinutes)}</td>
                  <td>
                    {exception.occurrences}× since {formatDateTime(exception.firstSeenAt)}
                  </td>
                  <td>
                    <History exception={exception} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager pager={pager} nextCursor={query.data.nextCursor} label="Exceptions" />
        </>
      )}
    </>
  );
}
