import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import type { Schemas } from '../api/client';
import { ErrorMessage, Loading, Status } from '../components/ui';
import { formatDateTime } from '../format';
import { AGE_BUCKETS } from '../age-buckets';

type Checkpoint = Schemas['BreakDto']['checkpoint'];

export function OverviewPage(): ReactNode {
  const query = useQuery({ queryKey: ['overview'], queryFn: () => call(api.GET('/v1/overview')) });
  const data = query.data;
  return (
    <>
      <h1>Overview</h1>
      {query.isPending && <Loading what="the overview" />}
      <ErrorMessage error={query.error} />
      {data && (
        <div className="cards">
          <section className="card" aria-labelledby="sync-health">
            <h2 id="sync-health">Sync health</h2>
            <dl className="facts">
              <dt>Contracts in flight</dt>
              <dd>
                <Link to="/contracts" search={{ status: 'in_flight' }} className="big">
                  {data.syncHealth.inFlight}
                </Link>
              </dd>
              <dt>Parked</dt>
              <dd>
                <Link to="/contracts" search={{ status: 'parked' }} className="big">
                  {data.syncHealth.parked}
                </Link>
              </dd>
              <dt>Failed</dt>
              <dd>
                <Link to="/contracts" search={{ status: 'failed' }} className="big">
                  {data.syncHealth.failed}
                </Link>
              </dd>
            </dl>
          </section>
          <section className="card" aria-labelledby="close-readiness">
            <h2 id="close-readiness">Close readiness</h2>
            {data.readiness.map((period) => (
              <div key={period.period}>
                <p>
                  <Link to="/close" search={{ period: period.period }}>
                    {period.period}
                  </Link>{' '}
                  <Status value={period.ready ? 'ready' : 'not_ready'} />
                </p>
                {period.reasons.length > 0 && (
                  <ul>
                    {period.reasons.map((reason) => (
                      <li key={reason}>{reason}</li>
                    ))}
                  </ul>
                )}
              </div>
            ))}
          </section>
          <section className="card" aria-labelledby="last-runs">
            <h2 id="last-runs">Last reconciliation per checkpoint</h2>
            {data.lastRuns.length === 0 && <p>No run yet.</p>}
            <ul>
              {data.lastRuns.map((run) => (
                <li key={run.checkpoint}>
                  {run.checkpoint}:{' '}
                  <Link
                    to="/reconciliation"
                    search={{ runId: run.runId, checkpoint: run.checkpoint as Checkpoint }}
                  >
                    {run.breaks === null ? 'breaks counted when it finishes' : `${String(run.breaks)} breaks`}
                  </Link>{' '}
                  <Status value={run.status} /> {formatDateTime(run.startedAt)}
                </li>
              ))}
            </ul>
          </section>
          <section className="card" aria-labelledby="sla">
            <h2 id="sla">SLA</h2>
            <p>
              {formatDateTime(data.sla.from)} – {formatDateTime(data.sla.to)}
            </p>
            <table>
              <caption>Sync latency (Salesforce commit to ERP posted)</caption>
              <thead>
                <tr>
                  <th scope="col">Kind</th>
                  <th scope="col">Count</th>
                  <th scope="col">p50</th>
                  <th scope="col">p99</th>
                </tr>
              </thead>
              <tbody>
                {data.sla.syncLatency.map((latency) => (
                  <tr key={latency.kind}>
                    <td>{latency.kind}</td>
                    <td>{latency.count}</td>
                    <td>{latency.p50Seconds == null ? '—' : `${latency.p50Seconds.toFixed(1)} s`}</td>
                    <td>{latency.p99Seconds == null ? '—' : `${latency.p99Seconds.toFixed(1)} s`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section className="card wide" aria-labelledby="exceptions-by-category">
            <h2 id="exceptions-by-category">Open exceptions by category and age</h2>
            {data.exceptionsByCategory.length === 0 && <p>No open exception.</p>}
            {data.exceptionsByCategory.length > 0 && (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Category</th>
                    <th scope="col">Open</th>
                    {Object.values(AGE_BUCKETS).map((bucket) => (
                      <th key={bucket.label} scope="col">
                        {bucket.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.exceptionsByCategory.map((row) => (
                    <tr key={row.category}>
                      <th scope="row">{row.category.replace(/_/g, ' ')}</th>
                      <td>
                        <Link to="/exceptions" search={{ category: row.category, status: 'open' }}>
                          {row.open}
                        </Link>
                      </td>
                      {(Object.keys(AGE_BUCKETS) as Array<keyof typeof AGE_BUCKETS>).map((age) => (
                        <td key={age}>
                          <Link to="/exceptions" search={{ category: row.category, status: 'open', age }}>
                            {row.ageBuckets[age]}
                          </Link>
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      )}
    </>
  );
}
