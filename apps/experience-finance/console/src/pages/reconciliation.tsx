import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import type { Schemas } from '../api/client';
import { ErrorMessage, Loading, Pager, Status, usePager } from '../components/ui';
import { formatDateTime } from '../format';
import { useSession } from '../session';
import { BREAK_HEADERS, BreakRows } from './breaks';
import { allowed } from '../query-client';

type Run = Schemas['ReconciliationRunDto'];
type Scope = NonNullable<Schemas['StartRunDto']['scope']>;
type Checkpoint = Exclude<Scope, 'all'>;
const SCOPES: Scope[] = ['all', 'salesforce-billing', 'billing-erp', 'contract-revenue', 'lineage'];

function StartRun({ onStarted }: { onStarted: (run: Run) => void }): ReactNode {
  const start = useMutation({
    mutationFn: (body: Schemas['StartRunDto']) => call(api.POST('/v1/reconciliation-runs', { body })),
    onSuccess: onStarted,
  });
  return (
    <section aria-labelledby="start-run">
      <h2 id="start-run">Start a reconciliation</h2>
      <form
        className="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const value = (name: string): string | undefined => {
            const raw = data.get(name);
            return typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
          };
          start.mutate({
            period: value('period'),
            scope: (value('scope') ?? 'all') as Scope,
            contractId: value('contractId'),
            customerId: value('customerId'),
          });
        }}
      >
        <label htmlFor="run-period">Period</label>
        <input id="run-period" name="period" placeholder="2026-03 (default: current)" />
        <label htmlFor="run-scope">Checkpoint</label>
        <select id="run-scope" name="scope" defaultValue="all">
          {SCOPES.map((scope) => (
            <option key={scope}>{scope}</option>
          ))}
        </select>
        <label htmlFor="run-contract">Contract</label>
        <input id="run-contract" name="contractId" />
        <label htmlFor="run-customer">Billing customer</label>
        <input id="run-customer" name="customerId" />
        <button type="submit" disabled={start.isPending}>
          Start run
        </button>
      </form>
      <ErrorMessage error={start.error} />
    </section>
  );
}

function RunBreaks({ run }: { run: Run }): ReactNode {
  const search = useSearch({ from: '/reconciliation' });
  const navigate = useNavigate({ from: '/reconciliation' });
  const pager = usePager(`${run.runId}-${search.checkpoint ?? ''}`);
  const breaks = useQuery({
    // The run's status is part of the key: breaks read while it ran are read again when it finishes.
    queryKey: ['run-breaks', run.runId, run.status, search.checkpoint, pager.cursor],
    queryFn: () =>
      call(
        api.GET('/v1/reconciliation-runs/{runId}/breaks', {
          params: {
            path: { runId: run.runId },
            query: { checkpoint: search.checkpoint, cursor: pager.cursor, limit: 50 },
          },
        }),
      ),
  });
  const csv = new URLSearchParams({
    format: 'csv',
    ...(search.checkpoint ? { checkpoint: search.checkpoint } : {}),
  });
  return (
    <section aria-labelledby="run-detail">
      <h2 id="run-detail">
        Run {run.runId} <Status value={run.status} />
      </h2>
      <p>
        Period {run.period}, {run.scope}
        {run.contractId ? `, contract ${run.contractId}` : ''}
        {run.customerId ? `, customer ${run.customerId}` : ''}; started {formatDateTime(run.startedAt)}
        {run.finishedAt ? `, finished ${formatDateTime(run.finishedAt)}` : ''}.
      </p>
      {run.error && <p className="error">{run.error}</p>}
      <table>
        <caption>Checkpoints</caption>
        <thead>
          <tr>
            <th scope="col">Checkpoint</th>
            <th scope="col">Compared</th>
            <th scope="col">Opened</th>
            <th scope="col">Still open</th>
            <th scope="col">Closed</th>
          </tr>
        </thead>
        <tbody>
          {run.checkpoints.map((checkpoint) => (
            <tr key={checkpoint.checkpoint}>
              <th scope="row">
                <button
                  type="button"
                  className="link"
                  onClick={() => {
                    void navigate({ search: { runId: run.runId, checkpoint: checkpoint.checkpoint } });
                  }}
                >
                  {checkpoint.checkpoint}
                </button>
              </th>
              <td>{checkpoint.compared}</td>
              <td>{checkpoint.opened}</td>
              <td>{checkpoint.stillOpen}</td>
              <td>{checkpoint.closed}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        <a
          href={`/v1/reconciliation-runs/${encodeURIComponent(run.runId)}/breaks?${csv.toString()}`}
          download
        >
          Download breaks as CSV
        </a>
      </p>
      <ErrorMessage error={breaks.error} />
      {breaks.data && (
        <>
          <table>
            <caption>Breaks{search.checkpoint ? ` at ${search.checkpoint}` : ''}</caption>
            <thead>
              <tr>
                {BREAK_HEADERS.map((header) => (
                  <th key={header} scope="col">
                    {header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {breaks.data.items.length === 0 && (
                <tr>
                  <td colSpan={BREAK_HEADERS.length}>No break.</td>
                </tr>
              )}
              <BreakRows breaks={breaks.data.items} />
            </tbody>
          </table>
          <Pager pager={pager} nextCursor={breaks.data.nextCursor} label="Breaks" />
        </>
      )}
    </section>
  );
}

function OpenBreaks(): ReactNode {
  const search = useSearch({ from: '/reconciliation' });
  const navigate = useNavigate({ from: '/reconciliation' });
  const filters = {
    checkpoint: search.checkpoint,
    contractId: search.contractId,
    customerId: search.customerId,
    category: search.category,
  };
  const pager = usePager(JSON.stringify(filters));
  const breaks = useQuery({
    queryKey: ['open-breaks', filters, pager.cursor],
    queryFn: () =>
      call(
        api.GET('/v1/reconciliation-breaks', {
          params: { query: { ...filters, cursor: pager.cursor, limit: 50 } },
        }),
      ),
  });
  return (
    <section aria-labelledby="open-breaks">
      <h2 id="open-breaks">Open breaks now</h2>
      <form
        className="filters"
        aria-label="Filter open breaks"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const value = (name: string): string | undefined => {
            const raw = data.get(name);
            return typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
          };
          void navigate({
            search: {
              runId: search.runId,
              checkpoint: value('checkpoint') as Checkpoint | undefined,
              contractId: value('contractId'),
              customerId: value('customerId'),
              category: value('category'),
            },
          });
        }}
      >
        <label htmlFor="open-checkpoint">Checkpoint</label>
        <select id="open-checkpoint" name="checkpoint" defaultValue={search.checkpoint ?? ''}>
          <option value="">any</option>
          {SCOPES.filter((scope) => scope !== 'all').map((scope) => (
            <option key={scope}>{scope}</option>
          ))}
        </select>
        <label htmlFor="open-category">Category</label>
        <input id="open-category" name="category" defaultValue={search.category ?? ''} />
        <label htmlFor="open-contract">Contract</label>
        <input id="open-contract" name="contractId" defaultValue={search.contractId ?? ''} />
        <label htmlFor="open-customer">Billing customer</label>
        <input id="open-customer" name="customerId" defaultValue={search.customerId ?? ''} />
        <button type="submit">Filter</button>
      </form>
      {breaks.isPending && <Loading what="open breaks" />}
      <ErrorMessage error={breaks.error} />
      {breaks.data && (
        <>
          <table>
            <thead>
              <tr>
                {BREAK_HEADERS.map((header) => (
                  <th key={header} scope="col">
                    {header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {breaks.data.items.length === 0 && (
                <tr>
                  <td colSpan={BREAK_HEADERS.length}>No open break.</td>
                </tr>
              )}
              <BreakRows breaks={breaks.data.items} />
            </tbody>
          </table>
          <Pager pager={pager} nextCursor={breaks.data.nextCursor} label="Open breaks" />
        </>
      )}
    </section>
  );
}

export function ReconciliationPage(): ReactNode {
  const search = useSearch({ from: '/reconciliation' });
  const navigate = useNavigate({ from: '/reconciliation' });
  const queryClient = useQueryClient();
  const { can } = useSession();
  const pager = usePager('runs');
  const runs = useQuery({
    queryKey: ['runs', pager.cursor],
    queryFn: () =>
      call(api.GET('/v1/reconciliation-runs', { params: { query: { cursor: pager.cursor, limit: 20 } } })),
    refetchInterval: (query) =>
      query.state.data?.items.some((run) => run.status === 'running') ? 2000 : false,
  });
  const selected = useQuery({
    queryKey: ['run', search.runId],
    enabled: (query) => search.runId !== undefined && allowed(query),
    queryFn: () =>
      call(api.GET('/v1/reconciliation-runs/{runId}', { params: { path: { runId: search.runId ?? '' } } })),
    refetchInterval: (query) => (query.state.data?.status === 'running' ? 1000 : false),
  });
  return (
    <>
      <h1>Reconciliation</h1>
      {can('finance.operator') && (
        <StartRun
          onStarted={(run) => {
            void queryClient.invalidateQueries({ queryKey: ['runs'] });
            void navigate({ search: { runId: run.runId } });
          }}
        />
      )}
      {selected.isPending && search.runId && <Loading what="the run" />}
      <ErrorMessage error={selected.error} />
      {selected.data && <RunBreaks run={selected.data} />}
      <OpenBreaks />
      <section aria-labelledby="runs">
        <h2 id="runs">Runs</h2>
        {runs.isPending && <Loading what="runs" />}
        <ErrorMessage error={runs.error} />
        {runs.data && (
          <>
            <table>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Period</th>
                  <th scope="col">Scope</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Open breaks</th>
                </tr>
              </thead>
              <tbody>
                {runs.data.items.length === 0 && (
                  <tr>
                    <td colSpan={8}>No run yet.</td>
                  </tr>
                )}
                {runs.data.items.map((run) => (
                  <tr key={run.runId} aria-current={run.runId === search.runId ? 'true' : undefined}>
                    <td>
                      <button
                        type="button"
                        className="link"
                        onClick={() => {
                          void navigate({ search: { runId: run.runId } });
                        }}
                      >
                        {run.runId}
                      </button>
                    </td>
                    <td>{run.period}</td>
                    <td>{run.scope}</td>
                    <td>{run.contractId ?? run.customerId ?? 'whole book'}</td>
                    <td>{run.trigger}</td>
                    <td>
                      <Status value={run.status} />
                    </td>
                    <td>{formatDateTime(run.startedAt)}</td>
                    <td>{run.checkpoints.reduce((sum, c) => sum + c.stillOpen + c.opened, 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pager={pager} nextCursor={runs.data.nextCursor} label="Runs" />
          </>
        )}
      </section>
    </>
  );
}
