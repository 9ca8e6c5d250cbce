import type { ReactNode } from 'react';

export function MappingDiff({ versions }: { versions: number[] }): ReactNode {
  return <p>{versions.length}</p>;
}
