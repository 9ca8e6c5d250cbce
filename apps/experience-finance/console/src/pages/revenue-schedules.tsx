// A contract's revenue schedule versions: one per booking or amendment, each with its lines by obligation and month.
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import type { Schemas } from '../api/client';
import { ErrorMessage, Loading } from '../components/ui';
import { formatDateTime } from '../format';

type Version = Schemas['RevenueScheduleVersionDto'];

/** The version's lines as a grid: one row per obligation, one column per month. */
function Grid({ version }: { version: Version }): ReactNode {
  const periods = [...new Set(version.lines.map((line) => line.period))].sort();
  const obligations = [...new Set(version.lines.map((line) => line.obligationId))];
  const cell = new Map(version.lines.map((line) => [`${line.obligationId}|${line.period}`, line]));
  return (
    <table>
      <caption>
        Version {version.version}: {version.cause}
        {version.amendmentId ? ` ${version.amendmentId}` : ''}, {version.treatment},{' '}
        {formatDateTime(version.createdAt)}; total {version.total.display}
      </caption>
      <thead>
        <tr>
          <th scope="col">Obligation</th>
          {periods.map((period) => (
            <th key={period} scope="col">
              {period}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {obligations.map((obligation) => (
          <tr key={obligation}>
            <th scope="row">
              {obligation}
              <br />
              <small>{version.lines.find((line) => line.obligationId === obligation)?.productCode}</small>
            </th>
            {periods.map((period) => (
              <td key={period} className="money">
                {cell.get(`${obligation}|${period}`)?.amount.display ?? '—'}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RevenueSchedules({ contractId }: { contractId: string }): ReactNode {
  const versions = useQuery({
    queryKey: ['revenue-schedules', contractId],
    queryFn: () =>
      call(api.GET('/v1/contracts/{contractId}/revenue-schedules', { params: { path: { contractId } } })),
  });
  return (
    <section aria-labelledby="schedules">
      <h2 id="schedules">Revenue schedule versions</h2>
      {versions.isPending && <Loading what="revenue schedules" />}
      <ErrorMessage error={versions.error} />
      {versions.data?.length === 0 && <p>No revenue schedule is stored for this contract.</p>}
      {versions.data?.map((version) => (
        <Grid key={version.version} version={version} />
      ))}
    </section>
  );
}
