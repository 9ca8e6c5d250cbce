// Break rows shared by the reconciliation page and the contract page: both systems' values side by side, with the
// side that changed since they last agreed marked, and money in its currency.
import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import type { Schemas } from '../api/client';

type Break = Schemas['BreakDto'];

export const BREAK_HEADERS = [
  'Checkpoint',
  'Category',
  'Contract',
  'Object',
  'Expected',
  'Actual',
  'Difference',
  'Changed side',
  'Period',
] as const;

function Side({ item, side }: { item: Break; side: 'expected' | 'actual' }): ReactNode {
  const money = item.money?.[side];
  const value = money?.display ?? item.quantity?.[side] ?? item[side] ?? '—';
  const origin = item.sides[side];
  const changed = item.changedSide === side;
  return (
    <td className={changed ? 'changed' : undefined}>
      <span className="value">{value}</span>
      <br />
      <small>
        {origin.system}
        {origin.recordId ? ` ${origin.recordId}` : ''}
      </small>
      {changed && <span className="visually-hidden"> (changed)</span>}
    </td>
  );
}

export function BreakRows({ breaks }: { breaks: Break[] }): ReactNode {
  return breaks.map((item) => (
    <tr key={item.breakId}>
      <td>{item.checkpoint}</td>
      <td>{item.category.replace(/_/g, ' ')}</td>
      <td>
        {item.contractId ? (
          <Link to="/contracts/$contractId" params={{ contractId: item.contractId }}>
            {item.contractId}
          </Link>
        ) : (
          '—'
        )}
      </td>
      <td>
        {item.objectType} <code>{item.objectId}</code>
        {item.field ? ` · ${item.field}` : ''}
      </td>
      <Side item={item} side="expected" />
      <Side item={item} side="actual" />
      <td>{item.money?.difference?.display ?? item.quantity?.difference ?? item.difference ?? '—'}</td>
      <td>{item.changedSide ?? 'unknown'}</td>
      <td>{item.period ?? '—'}</td>
    </tr>
  ));
}
