import { useQuery } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import type { Schemas } from '../api/client';
import { ErrorMessage, Loading, Status } from '../components/ui';
import { formatAge, formatDateTime } from '../format';
import { BreakRows, BREAK_HEADERS } from './breaks';
import { RevenueSchedules } from './revenue-schedules';

const SYSTEMS = [
  ['salesforce', 'Salesforce'],
  ['billing', 'Billing'],
  ['erp', 'ERP'],
] as const;

function Timeline({ change }: { change: Schemas['ContractChangeLifecycleDto'] }): ReactNode {
  return (
    <ol className="timeline" aria-label={`Timeline of the ${change.kind}`}>
      <li>
        <strong>Committed in Salesforce</strong>{' '}
        <time dateTime={change.committedAt}>{formatDateTime(change.committedAt)}</time>
      </li>
      {SYSTEMS.map(([key, label]) => {
        const system = change[key];
        return (
          <li key={key} className={`system-${system.status}`}>
            <strong>{label}</strong>: <Status value={system.status} /> — {system.commandsConfirmed} of{' '}
            {system.commandsSent} commands confirmed
            {system.lastHop && (
              <>
                ; last {system.lastHop.objectType} <code>{system.lastHop.externalId}</code>{' '}
                {system.lastHop.status} at {formatDateTime(system.lastHop.occurredAt)}
              </>
            )}
            {system.reason && <p className="error">{system.reason}</p>}
          </li>
        );
      })}
      <li>
        <strong>{change.completedAt ? 'Completed' : `Now: ${change.status} at step ${change.step}`}</strong>{' '}
        {change.completedAt && (
          <time dateTime={change.completedAt}>{formatDateTime(change.completedAt)}</time>
        )}
        {change.lastError && <p className="error">{change.lastError}</p>}
      </li>
    </ol>
  );
}

export function ContractPage(): ReactNode {
  const { contractId } = useParams({ from: '/contracts/$contractId' });
  const path = { params: { path: { contractId } } };
  const lifecycle = useQuery({
    queryKey: ['lifecycle', contractId],
    queryFn: () => call(api.GET('/v1/contracts/{contractId}/lifecycle', path)),
  });
  const lineage = useQuery({
    queryKey: ['lineage', contractId],
    queryFn: () => call(api.GET('/v1/contracts/{contractId}/lineage', path)),
  });
  const breaks = useQuery({
    queryKey: ['open-breaks', { contractId }],
    queryFn: () =>
      call(api.GET('/v1/reconciliation-breaks', { params: { query: { contractId, limit: 100 } } })),
  });
  const exceptions = useQuery({
    queryKey: ['exceptions', { contractId, status: 'open' }],
    queryFn: () =>
      call(api.GET('/v1/exceptions', { params: { query: { contractId, status: 'open', limit: 100 } } })),
  });
  const contract = lifecycle.data?.contract;
  return (
    <>
      <p>
        <Link to="/contracts">Contracts</Link> ›
      </p>
      <h1>Contract {contractId}</h1>
      {lifecycle.isPending && <Loading what="the contract" />}
      <ErrorMessage error={lifecycle.error} />
      {contract && (
        <dl className="facts">
          <dt>Account</dt>
          <dd>{contract.customer ?? '—'}</dd>
          <dt>Currency</dt>
          <dd>{contract.currency ?? '—'}</dd>
          <dt>Term</dt>
          <dd>{contract.termStart ? `${contract.termStart} – ${contract.termEnd ?? ''}` : '—'}</dd>
          <dt>Contract</dt>
          <dd>
            <Status value={contract.contractStatus} />
          </dd>
          <dt>Sync</dt>
          <dd>
            <Status value={contract.lifecycleStatus} />
          </dd>
        </dl>
      )}
      <section aria-labelledby="timeline">
        <h2 id="timeline">Timeline across Salesforce, billing and the ERP</h2>
        {lifecycle.data?.changes.length === 0 && <p>No change of this contract is stored.</p>}
        {lifecycle.data?.changes.map((change) => (
          <article key={change.correlationId} className="change">
            <h3>
              {change.kind} <Status value={change.status} />
            </h3>
            <Timeline change={change} />
          </article>
        ))}
      </section>
      <section aria-labelledby="lineage">
        <h2 id="lineage">Lineage</h2>
        {lineage.isPending && <Loading what="the lineage" />}
        <ErrorMessage error={lineage.error} />
        {lineage.data?.changes.map((change) => (
          <table key={change.correlationId}>
            <caption>
              Correlation id <code>{change.correlationId}</code> (last: {change.lastSystem}{' '}
              {change.lastStatus})
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">System</th>
                <th scope="col">Object</th>
                <th scope="col">Record id</th>
                <th scope="col">Status</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {change.hops.map((hop, index) => (
                <tr key={`${hop.system}-${hop.externalId}-${index}`}>
                  <td>{formatDateTime(hop.occurredAt)}</td>
                  <td>{hop.system}</td>
                  <td>{hop.objectType}</td>
                  <td>
                    {hop.vendorUrl ? (
                      <a href={hop.vendorUrl} target="_blank" rel="noreferrer">
                        {hop.externalId}
                        <span className="visually-hidden"> (opens in {hop.system})</span>
                      </a>
                    ) : (
                      <code>{hop.externalId}</code>
                    )}
                  </td>
                  <td>{hop.status}</td>
                  <td>{hop.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      </section>
      <RevenueSchedules contractId={contractId} />
      <section aria-labelledby="open-breaks">
        <h2 id="open-breaks">Open reconciliation breaks</h2>
        <ErrorMessage error={breaks.error} />
        {breaks.data && breaks.data.items.length === 0 && <p>No open break.</p>}
        {breaks.data && breaks.data.items.length > 0 && (
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
              <BreakRows breaks={breaks.data.items} />
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="open-exceptions">
        <h2 id="open-exceptions">Open exceptions</h2>
        <ErrorMessage error={exceptions.error} />
        {exceptions.data && exceptions.data.items.length === 0 && <p>No open exception.</p>}
        {exceptions.data && exceptions.data.items.length > 0 && (
          <ul>
            {exceptions.data.items.map((exception) => (
              <li key={exception.id}>
                <Link to="/exceptions" search={{ contractId }}>
                  {exception.category}
                </Link>
                : {exception.reason} ({formatAge(exception.ageMinutes)} old)
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
