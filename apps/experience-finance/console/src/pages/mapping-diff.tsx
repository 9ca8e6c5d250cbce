// The difference between two mapping versions, as Revline computes it: entries added, removed and changed, by
// section (field mappings, product catalogue, systems of record) and key, with the fields that differ.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import type { Schemas } from '../api/client';
import { ErrorMessage, Loading } from '../components/ui';
import { allowed } from '../query-client';

type Entry = Schemas['MappingDiffEntryDto'];

const show = (value: unknown, field: string): string => {
  if (value === null || typeof value !== 'object') return '—';
  const picked = (value as Record<string, unknown>)[field];
  return picked === undefined ? '—' : typeof picked === 'string' ? picked : JSON.stringify(picked);
};

function Entries({ kind, entries }: { kind: 'added' | 'removed' | 'changed'; entries: Entry[] }): ReactNode {
  return entries.map((entry) => (
    <tr key={`${kind}-${entry.section}-${entry.key}`} className={`diff-${kind}`}>
      <td>{kind}</td>
      <td>{entry.section}</td>
      <td>
        <code>{entry.key}</code>
      </td>
      <td>
        <ul className="history">
          {entry.fields.map((field) => (
            <li key={field}>
              <code>{field}</code>: {show(entry.before, field)} → {show(entry.after, field)}
            </li>
          ))}
        </ul>
      </td>
    </tr>
  ));
}

export function MappingDiff({ versions }: { versions: number[] }): ReactNode {
  const sorted = [...versions].sort((a, b) => a - b);
  const [from, setFrom] = useState(sorted.at(-2) ?? 1);
  const [to, setTo] = useState(sorted.at(-1) ?? 1);
  const diff = useQuery({
    queryKey: ['mappings', 'diff', from, to],
    enabled: (query) => from !== to && allowed(query),
    queryFn: () => call(api.GET('/v1/mappings/diff', { params: { query: { from, to } } })),
  });
  return (
    <section aria-labelledby="diff">
      <h2 id="diff">Difference between two versions</h2>
      <form className="filters" aria-label="Choose the versions to compare">
        <label htmlFor="diff-from">From version</label>
        <select
          id="diff-from"
          value={from}
          onChange={(event) => {
            setFrom(Number(event.target.value));
          }}
        >
          {sorted.map((version) => (
            <option key={version}>{version}</option>
          ))}
        </select>
        <label htmlFor="diff-to">To version</label>
        <select
          id="diff-to"
          value={to}
          onChange={(event) => {
            setTo(Number(event.target.value));
          }}
        >
          {sorted.map((version) => (
            <option key={version}>{version}</option>
          ))}
        </select>
      </form>
      {from === to && <p>Choose two different versions.</p>}
      {diff.isFetching && <Loading what="the difference" />}
      <ErrorMessage error={diff.error} />
      {diff.data && from !== to && (
        <table>
          <caption>
            Version {diff.data.from} → version {diff.data.to}: {diff.data.added.length} added,{' '}
            {diff.data.removed.length} removed, {diff.data.changed.length} changed
          </caption>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Section</th>
              <th scope="col">Entry</th>
              <th scope="col">Fields (before → after)</th>
            </tr>
          </thead>
          <tbody>
            <Entries kind="added" entries={diff.data.added} />
            <Entries kind="removed" entries={diff.data.removed} />
            <Entries kind="changed" entries={diff.data.changed} />
          </tbody>
        </table>
      )}
    </section>
  );
}
