import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import { ErrorMessage, Loading, Money, Status } from '../components/ui';
import { formatDateTime, periodOf } from '../format';
import { useSession } from '../session';

export function ClosePage(): ReactNode {
  const search = useSearch({ from: '/close' });
  const navigate = useNavigate({ from: '/close' });
  const period = search.period ?? periodOf(new Date());
  const { can } = useSession();
  const queryClient = useQueryClient();
  const path = { params: { path: { period } } };
  const readiness = useQuery({
    queryKey: ['readiness', period],
    queryFn: () => call(api.GET('/v1/close/{period}/readiness', path)),
  });
  const runs = useQuery({
    queryKey: ['revenue-runs', period],
    queryFn: () => call(api.GET('/v1/close/{period}/revenue-runs', path)),
    refetchInterval: (query) =>
      query.state.data?.items.some((run) => run.state === 'posting') ? 1000 : false,
  });
  const start = useMutation({
    mutationFn: () => call(api.POST('/v1/close/{period}/revenue-runs', path)),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['revenue-runs', period] });
      void queryClient.invalidateQueries({ queryKey: ['readiness', period] });
    },
  });
  const data = readiness.data;
  return (
    <>
      <h1>Close {period}</h1>
      <form
        className="filters"
        aria-label="Choose the period"
        onSubmit={(event) => {
          event.preventDefault();
          const value = new FormData(event.currentTarget).get('period');
          void navigate({ search: { period: typeof value === 'string' && value ? value : undefined } });
        }}
      >
        <label htmlFor="period">Period</label>
        <input id="period" name="period" defaultValue={period} pattern="\d{4}-\d{2}|FY\d{4}-P\d{2}" />
        <button type="submit">Show</button>
      </form>
      {readiness.isPending && <Loading what="the checklist" />}
      <ErrorMessage error={readiness.error} />
      {data && (
        <section aria-labelledby="checklist">
          <h2 id="checklist">
            Checklist <Status value={data.ready ? 'ready' : 'not_ready'} />
          </h2>
          <p>Checked {formatDateTime(data.checkedAt)}.</p>
          <ul className="checklist">
            {data.reasons.length === 0 && <li>Nothing stands in the way.</li>}
            {data.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          <dl className="facts">
            <dt>Open exceptions</dt>
            <dd>
              <Link to="/exceptions" search={{ status: 'open' }}>
                {data.openExceptions}
              </Link>
            </dd>
            <dt>Open breaks</dt>
            <dd>
              <Link to="/reconciliation" hash="open-breaks">
                {data.openBreaks}
              </Link>
            </dd>
            <dt>Changes in flight</dt>
            <dd>
              <Link to="/contracts" search={{ status: 'in_flight' }}>
                {data.sagasInFlight}
              </Link>
            </dd>
          </dl>
          {data.breaks.length > 0 && (
            <table>
              <caption>Open breaks behind the checklist</caption>
              <thead>
                <tr>
                  <th scope="col">Checkpoint</th>
                  <th scope="col">Category</th>
                  <th scope="col">Breaks</th>
                  <th scope="col">Contracts</th>
                  <th scope="col">Runs</th>
                </tr>
              </thead>
              <tbody>
                {data.breaks.map((group) => (
                  <tr key={`${group.checkpoint}-${group.category}`}>
                    <td>{group.checkpoint}</td>
                    <td>{group.category.replace(/_/g, ' ')}</td>
                    <td>{group.count}</td>
                    <td>
                      {group.contractIds.map((contractId) => (
                        <Link
                          key={contractId}
                          to="/contracts/$contractId"
                          params={{ contractId }}
                          className="chip"
                        >
                          {contractId}
                        </Link>
                      ))}
                    </td>
                    <td>
                      {group.runIds.map((runId) => (
                        <Link key={runId} to="/reconciliation" search={{ runId }} className="chip">
                          {runId.slice(0, 8)}
                          <span className="visually-hidden">{runId.slice(8)}</span>
                        </Link>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.revenue.length > 0 && (
            <table>
              <caption>Revenue expected by the schedules and posted in the ERP</caption>
              <thead>
                <tr>
                  <th scope="col">Currency</th>
                  <th scope="col">Expected</th>
                  <th scope="col">Posted</th>
                </tr>
              </thead>
              <tbody>
                {data.revenue.map((check) => (
                  <tr key={check.currency}>
                    <td>{check.currency}</td>
                    <td>
                      <Money minor={check.expectedMinor} currency={check.currency} />
                    </td>
                    <td>
                      <Money minor={check.postedMinor} currency={check.currency} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <section aria-labelledby="revenue-runs">
        <h2 id="revenue-runs">Revenue runs (period-close journals)</h2>
        {can('finance.operator') && (
          <p>
            <button
              type="button"
              disabled={start.isPending}
              onClick={() => {
                start.mutate();
              }}
            >
              Start the revenue run for {period}
            </button>
          </p>
        )}
        <ErrorMessage error={start.error} />
        {runs.isPending && <Loading what="revenue runs" />}
        <ErrorMessage error={runs.error} />
        {runs.data && runs.data.items.length === 0 && <p>No revenue run for {period} yet.</p>}
        {runs.data && runs.data.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Kind</th>
                <th scope="col">State</th>
                <th scope="col">Requested by</th>
                <th scope="col">Contracts</th>
                <th scope="col">Lines</th>
                <th scope="col">Journals (posted / all)</th>
                <th scope="col">Started</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.items.map((run) => (
                <tr key={run.runId}>
                  <td>
                    #{run.sequence} <code>{run.runId.slice(0, 8)}</code>
                  </td>
                  <td>
                    {run.kind} ({run.mode})
                  </td>
                  <td>
                    <Status value={run.state} />
                    {run.reason ? ` ${run.reason}` : ''}
                  </td>
                  <td>{run.requestedBy}</td>
                  <td>{run.contracts}</td>
                  <td>{run.lines}</td>
                  <td>
                    {run.journals.filter((j) => j.status === 'posted').length} / {run.journals.length}
                  </td>
                  <td>{formatDateTime(run.startedAt)}</td>
                  <td>{formatDateTime(run.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
