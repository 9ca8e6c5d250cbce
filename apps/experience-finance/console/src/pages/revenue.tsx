import { useQuery } from '@tanstack/react-query';
import { useNavigate, useSearch } from '@tanstack/react-router';
import { lazy, Suspense } from 'react';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import { ErrorMessage, Loading, Money } from '../components/ui';

// ECharts is the heaviest dependency: it loads only with this page's chart.
const WaterfallChart = lazy(() => import('../components/waterfall-chart'));

export function RevenuePage(): ReactNode {
  const search = useSearch({ from: '/revenue' });
  const navigate = useNavigate({ from: '/revenue' });
  const year = new Date().getUTCFullYear();
  const from = search.from ?? `${year}-01`;
  const to = search.to ?? `${year}-12`;
  const query = useQuery({
    queryKey: ['waterfall', from, to, search.currency],
    queryFn: () =>
      call(api.GET('/v1/revenue/waterfall', { params: { query: { from, to, currency: search.currency } } })),
  });
  const csv = new URLSearchParams({
    from,
    to,
    format: 'csv',
    ...(search.currency ? { currency: search.currency } : {}),
  });
  return (
    <>
      <h1>Revenue waterfall</h1>
      <form
        className="filters"
        aria-label="Choose the months"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const value = (name: string): string | undefined => {
            const raw = data.get(name);
            return typeof raw === 'string' && raw.trim() ? raw.trim() : undefined;
          };
          void navigate({ search: { from: value('from'), to: value('to'), currency: value('currency') } });
        }}
      >
        <label htmlFor="from">From</label>
        <input id="from" name="from" type="month" defaultValue={from} />
        <label htmlFor="to">To</label>
        <input id="to" name="to" type="month" defaultValue={to} />
        <label htmlFor="currency">Currency</label>
        <input
          id="currency"
          name="currency"
          defaultValue={search.currency ?? ''}
          placeholder="all"
          size={5}
        />
        <button type="submit">Show</button>
      </form>
      <p>
        <a href={`/v1/revenue/waterfall?${csv.toString()}`} download>
          Download as CSV
        </a>
      </p>
      {query.isPending && <Loading what="the waterfall" />}
      <ErrorMessage error={query.error} />
      {query.data?.currencies.length === 0 && <p>No revenue in these months.</p>}
      {query.data?.currencies.map((currency) => (
        <section key={currency.currency} aria-labelledby={`waterfall-${currency.currency}`}>
          <h2 id={`waterfall-${currency.currency}`}>
            {currency.currency}: {query.data.contracts} contracts
          </h2>
          <Suspense fallback={<Loading what="the chart" />}>
            <WaterfallChart currency={currency} />
          </Suspense>
          <table>
            <caption>
              {currency.currency} by month, {from} to {to}
            </caption>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Billed</th>
                <th scope="col">Recognised</th>
                <th scope="col">Deferred (closing)</th>
                <th scope="col">Unbilled (closing)</th>
              </tr>
            </thead>
            <tbody>
              {currency.months.map((month) => (
                <tr key={month.period}>
                  <th scope="row">{month.period}</th>
                  <td>
                    <Money minor={month.billedMinor} currency={currency.currency} />
                  </td>
                  <td>
                    <Money minor={month.recognisedMinor} currency={currency.currency} />
                  </td>
                  <td>
                    <Money minor={month.closingDeferredMinor} currency={currency.currency} />
                  </td>
                  <td>
                    <Money minor={month.closingUnbilledMinor} currency={currency.currency} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </>
  );
}
