import type { ReactNode } from 'react';

export function RevenueSchedules({ contractId }: { contractId: string }): ReactNode {
  return <p>{contractId}</p>;
}
