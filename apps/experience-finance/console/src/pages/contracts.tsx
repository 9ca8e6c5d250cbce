import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import { ErrorMessage, Loading, Pager, Status, usePager } from '../components/ui';
import { formatDateTime } from '../format';

const STATUSES = ['in_sync', 'in_flight', 'parked', 'failed'] as const;
const PAGE_SIZE = 50;

export function ContractsPage(): ReactNode {
  const search = useSearch({ from: '/contracts' });
  const navigate = useNavigate({ from: '/contracts' });
  const pager = usePager(JSON.stringify(search));
  const [contractId, setContractId] = useState('');
  const query = useQuery({
    queryKey: ['contracts', search, pager.cursor],
    queryFn: () =>
      call(
        api.GET('/v1/contracts', {
          params: {
            query: {
              status: search.status,
              customer: search.customer,
              order: search.order,
              cursor: pager.cursor,
              limit: PAGE_SIZE,
            },
          },
        }),
      ),
  });
  return (
    <>
      <h1>Contracts</h1>
      <form
        className="filters"
        aria-label="Open a contract"
        onSubmit={(event) => {
          event.preventDefault();
          const id = contractId.trim();
          if (id) void navigate({ to: '/contracts/$contractId', params: { contractId: id } });
        }}
      >
        <label htmlFor="contract-id">Contract id</label>
        <input
          id="contract-id"
          value={contractId}
          placeholder="800…"
          onChange={(event) => {
            setContractId(event.target.value);
          }}
        />
        <button type="submit">Open contract</button>
      </form>
      <form
        className="filters"
        aria-label="Filter contracts"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const status = data.get('status');
          const customer = data.get('customer');
          const order = data.get('order');
          void navigate({
            search: {
              status:
                typeof status === 'string' && status ? (status as (typeof STATUSES)[number]) : undefined,
              customer: typeof customer === 'string' && customer.trim() ? customer.trim() : undefined,
              order: typeof order === 'string' && order.trim() ? order.trim() : undefined,
            },
          });
        }}
      >
        <label htmlFor="customer">Account (customer id in any system)</label>
        <input id="customer" name="customer" defaultValue={search.customer ?? ''} />
        <label htmlFor="order">Order (booking, amendment or renewal)</label>
        <input id="order" name="order" defaultValue={search.order ?? ''} placeholder="801…" />
        <label htmlFor="status">Status</label>
        <select id="status" name="status" defaultValue={search.status ?? ''}>
          <option value="">any</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status.replace('_', ' ')}
            </option>
          ))}
        </select>
        <button type="submit">Search</button>
      </form>
      {query.isPending && <Loading what="contracts" />}
      <ErrorMessage error={query.error} />
      {query.data && (
        <>
          <table>
            <caption>
              Contracts{search.status ? `, ${search.status.replace('_', ' ')}` : ''}
              {search.customer ? `, account ${search.customer}` : ''}
              {search.order ? `, order ${search.order}` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Contract</th>
                <th scope="col">Account</th>
                <th scope="col">Term</th>
                <th scope="col">Contract status</th>
                <th scope="col">Sync</th>
                <th scope="col">Changes (done / in flight / parked / failed)</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {query.data.items.length === 0 && (
                <tr>
                  <td colSpan={7}>No contract matches.</td>
                </tr>
              )}
              {query.data.items.map((contract) => (
                <tr key={contract.contractId}>
                  <td>
                    <Link to="/contracts/$contractId" params={{ contractId: contract.contractId }}>
                      {contract.contractId}
                    </Link>
                  </td>
                  <td>{contract.customer ?? '—'}</td>
                  <td>{contract.termStart ? `${contract.termStart} – ${contract.termEnd ?? ''}` : '—'}</td>
                  <td>
                    <Status value={contract.contractStatus} />
                  </td>
                  <td>
                    <Status value={contract.lifecycleStatus} />
                  </td>
                  <td>
                    {contract.completed} / {contract.inFlight} / {contract.parked} / {contract.failed}
                  </td>
                  <td>{formatDateTime(contract.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager pager={pager} nextCursor={query.data.nextCursor} label="Contracts" />
        </>
      )}
    </>
  );
}
