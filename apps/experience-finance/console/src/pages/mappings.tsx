import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { api, call } from '../api/client';
import { ErrorMessage, Loading, Status } from '../components/ui';
import { formatDateTime } from '../format';
import { useSession } from '../session';
import { MappingDiff } from './mapping-diff';
import { allowed } from '../query-client';

function Decide({ version }: { version: number }): ReactNode {
  const queryClient = useQueryClient();
  const [reason, setReason] = useState('');
  const path = { params: { path: { version } } };
  const done = () => {
    setReason('');
    void queryClient.invalidateQueries({ queryKey: ['mappings'] });
  };
  const approve = useMutation({
    mutationFn: () =>
      call(
        api.POST('/v1/mappings/versions/{version}/approve', {
          ...path,
          body: { reason: reason || undefined },
        }),
      ),
    onSuccess: done,
  });
  const reject = useMutation({
    mutationFn: () => call(api.POST('/v1/mappings/versions/{version}/reject', { ...path, body: { reason } })),
    onSuccess: done,
  });
  return (
    <form
      className="actions"
      aria-label={`Decide on version ${version}`}
      onSubmit={(event) => {
        event.preventDefault();
        approve.mutate();
      }}
    >
      <label htmlFor={`reason-${version}`}>Reason</label>
      <input
        id={`reason-${version}`}
        value={reason}
        onChange={(event) => {
          setReason(event.target.value);
        }}
      />
      <button type="submit" disabled={approve.isPending}>
        Approve version {version}
      </button>
      <button
        type="button"
        disabled={reject.isPending || reason.trim().length === 0}
        onClick={() => {
          reject.mutate();
        }}
      >
        Reject version {version}
      </button>
      <ErrorMessage error={approve.error ?? reject.error} />
    </form>
  );
}

function Propose({ baseVersion }: { baseVersion: number }): ReactNode {
  const queryClient = useQueryClient();
  const [summary, setSummary] = useState('');
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [parseError, setParseError] = useState<string | undefined>(undefined);
  const base = useQuery({
    queryKey: ['mappings', 'version', baseVersion],
    queryFn: () =>
      call(api.GET('/v1/mappings/versions/{version}', { params: { path: { version: baseVersion } } })),
  });
  const propose = useMutation({
    mutationFn: (definition: unknown) =>
      call(
        api.POST('/v1/mappings/versions', {
          body: { summary, baseVersion, definition } as never,
        }),
      ),
    onSuccess: () => {
      setSummary('');
      setDraft(undefined);
      void queryClient.invalidateQueries({ queryKey: ['mappings'] });
    },
  });
  const text = draft ?? (base.data ? JSON.stringify(base.data.definition, null, 2) : '');
  return (
    <section aria-labelledby="propose">
      <h2 id="propose">Propose a version based on version {baseVersion}</h2>
      <p>
        Edit the field mappings and the product catalogue; another administrator approves the proposal before
        it becomes active.
      </p>
      <ErrorMessage error={base.error} />
      <form
        className="stacked"
        onSubmit={(event) => {
          event.preventDefault();
          try {
            const definition: unknown = JSON.parse(text);
            setParseError(undefined);
            propose.mutate(definition);
          } catch (error) {
            setParseError(`The definition is not valid JSON: ${(error as Error).message}`);
          }
        }}
      >
        <label htmlFor="summary">Summary</label>
        <input
          id="summary"
          required
          value={summary}
          onChange={(event) => {
            setSummary(event.target.value);
          }}
        />
        <label htmlFor="definition">Definition (JSON)</label>
        <textarea
          id="definition"
          rows={16}
          cols={100}
          spellCheck={false}
          value={text}
          onChange={(event) => {
            setDraft(event.target.value);
          }}
        />
        <button type="submit" disabled={propose.isPending || !base.data}>
          Propose
        </button>
      </form>
      {parseError && (
        <p role="alert" className="error">
          {parseError}
        </p>
      )}
      <ErrorMessage error={propose.error} />
      {propose.data && <p role="status">Version {propose.data.version} proposed; it waits for approval.</p>}
    </section>
  );
}

/**
 * Validate a Salesforce order through POST /v1/orders/validate: against the active version, or (for those who can
 * list the versions) a chosen proposed, active or superseded one, to see what a proposal would change before approving.
 */
function Preview({ versions }: { versions: ReadonlyArray<{ version: number; status: string }> }): ReactNode {
  const [order, setOrder] = useState('');
  const [chosen, setChosen] = useState('');
  const [parseError, setParseError] = useState<string | undefined>(undefined);
  const validate = useMutation({
    mutationFn: ({ record, mappingVersion }: { record: Record<string, unknown>; mappingVersion?: number }) =>
      call(api.POST('/v1/orders/validate', { params: { query: { mappingVersion } }, body: record })),
  });
  const choices = versions.filter((version) => version.status !== 'rejected');
  return (
    <section aria-labelledby="preview">
      <h2 id="preview">Preview an order against a mapping version</h2>
      <form
        className="stacked"
        onSubmit={(event) => {
          event.preventDefault();
          try {
            setParseError(undefined);
            validate.mutate({
              record: JSON.parse(order) as Record<string, unknown>,
              mappingVersion: chosen ? Number(chosen) : undefined,
            });
          } catch (error) {
            setParseError(`The order is not valid JSON: ${(error as Error).message}`);
          }
        }}
      >
        {choices.length > 0 && (
          <>
            <label htmlFor="preview-version">Mapping version</label>
            <select
              id="preview-version"
              value={chosen}
              onChange={(event) => {
                setChosen(event.target.value);
              }}
            >
              <option value="">the active version</option>
              {choices.map((version) => (
                <option key={version.version} value={String(version.version)}>
                  {version.version} ({version.status})
                </option>
              ))}
            </select>
          </>
        )}
        <label htmlFor="order">Salesforce order (Order with Account and OrderItems, as JSON)</label>
        <textarea
          id="order"
          rows={10}
          cols={100}
          spellCheck={false}
          value={order}
          onChange={(event) => {
            setOrder(event.target.value);
          }}
        />
        <button type="submit" disabled={validate.isPending}>
          Preview
        </button>
      </form>
      {parseError && (
        <p role="alert" className="error">
          {parseError}
        </p>
      )}
      <ErrorMessage error={validate.error} />
      {validate.data && (
        <div role="status">
          <p>
            {validate.data.valid ? 'Valid' : 'Not valid'} under mapping version {validate.data.mappingVersion}
            {validate.data.orderType ? ` as a ${validate.data.orderType} order` : ''}
            {validate.data.contractId ? ` of contract ${validate.data.contractId}` : ''}.
          </p>
          {(validate.data.problems ?? []).length > 0 && (
            <ul>
              {(validate.data.problems ?? []).map((problem) => (
                <li key={`${problem.field}-${problem.category}`}>
                  <strong>{(problem.category ?? 'problem').replace(/_/g, ' ')}</strong> at{' '}
                  <code>{problem.field}</code>: {problem.reason}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

export function MappingsPage(): ReactNode {
  const { can } = useSession();
  // Versions, their difference and decisions are integration.admin's; anyone may preview an order.
  const admin = can('integration.admin');
  const versions = useQuery({
    queryKey: ['mappings', 'versions'],
    enabled: (query) => admin && allowed(query),
    queryFn: () => call(api.GET('/v1/mappings/versions')),
  });
  const list = versions.data ?? [];
  const active = list.find((version) => version.status === 'active');
  return (
    <>
      <h1>Mappings</h1>
      {!admin && <p className="note">Mapping versions are shown to integration administrators.</p>}
      {admin && versions.isPending && <Loading what="mapping versions" />}
      <ErrorMessage error={versions.error} />
      {versions.data && (
        <table>
          <caption>Mapping versions</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Status</th>
              <th scope="col">Summary</th>
              <th scope="col">Based on</th>
              <th scope="col">Fields / products</th>
              <th scope="col">Proposed</th>
              <th scope="col">Decided</th>
              <th scope="col">Decision</th>
            </tr>
          </thead>
          <tbody>
            {list.map((version) => (
              <tr key={version.version}>
                <th scope="row">{version.version}</th>
                <td>
                  <Status value={version.status} />
                </td>
                <td>{version.summary}</td>
                <td>{version.basedOnVersion ?? '—'}</td>
                <td>
                  {version.fieldMappings} / {version.products}
                </td>
                <td>
                  {version.proposedBy}, {formatDateTime(version.proposedAt)}
                </td>
                <td>
                  {version.decidedBy ? `${version.decidedBy}, ${formatDateTime(version.decidedAt)}` : '—'}
                </td>
                <td>{version.status === 'proposed' && <Decide version={version.version} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.length > 1 && <MappingDiff versions={list.map((version) => version.version)} />}
      {active && <Propose baseVersion={active.version} />}
      <Preview versions={list} />
    </>
  );
}
