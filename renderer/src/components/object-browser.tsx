/** Every object in the vault: search and filters, the virtualized list, and the detail pane. */
import { useMemo } from 'react';
import type { ObjectSummary } from '../../../shared/api/index.js';
import { distinct, filterObjects, searchIndex } from '../store/filter.js';
import { useKeyhold } from '../store/context.js';
import { ErrorBox, StateBadge, Field, formatDate, stateLabels, typeLabels } from './common.js';
import { DetailPane } from './detail-pane.js';
import { VirtualList } from './virtual-list.js';

function algorithmText(o: ObjectSummary): string {
  if (!o.cryptographicAlgorithm) return '—';
  if (o.curve) return `${o.cryptographicAlgorithm} ${o.curve}`;
  return o.cryptographicLength ? `${o.cryptographicAlgorithm}-${o.cryptographicLength}` : o.cryptographicAlgorithm;
}

function Row({ o }: { o: ObjectSummary }) {
  return (
    <>
      <span className="c-name" title={o.name ?? o.uniqueIdentifier}>
        {o.name || <span className="muted">{o.uniqueIdentifier}</span>}
      </span>
      <span className="c-type">{typeLabels[o.objectType] ?? o.objectType}</span>
      <span className="c-alg">{algorithmText(o)}</span>
      <span className="c-state">
        <StateBadge state={o.state} />
      </span>
      <span className="c-date">{formatDate(o.initialDate)}</span>
    </>
  );
}

export function ObjectBrowser() {
  const objects = useKeyhold((s) => s.objects);
  const status = useKeyhold((s) => s.objectsStatus);
  const error = useKeyhold((s) => s.objectsError);
  const filter = useKeyhold((s) => s.filter);
  const setFilter = useKeyhold((s) => s.setFilter);
  const resetFilter = useKeyhold((s) => s.resetFilter);
  const selectedId = useKeyhold((s) => s.selectedId);
  const select = useKeyhold((s) => s.select);
  const setScreen = useKeyhold((s) => s.setScreen);

  const index = useMemo(() => searchIndex(objects), [objects]);
  const shown = useMemo(() => filterObjects(objects, index, filter), [objects, index, filter]);
  const types = useMemo(() => distinct(objects, 'objectType'), [objects]);
  const states = useMemo(() => distinct(objects, 'state'), [objects]);
  const algorithms = useMemo(() => distinct(objects, 'cryptographicAlgorithm'), [objects]);
  const filtered = shown.length !== objects.length;

  return (
    <div className="browser">
      <section className="browser-list" aria-label="Objects">
        <div className="toolbar filters" role="search">
          <Field label="Search" className="search">
            {(id) => (
              <input
                id={id}
                type="search"
                placeholder="Name, identifier, algorithm…"
                value={filter.text}
                onChange={(e) => setFilter({ text: e.target.value })}
              />
            )}
          </Field>
          <Field label="Type">
            {(id) => (
              <select id={id} value={filter.objectType} onChange={(e) => setFilter({ objectType: e.target.value })}>
                <option value="">All types</option>
                {types.map((t) => (
                  <option key={t} value={t}>
                    {typeLabels[t] ?? t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="State">
            {(id) => (
              <select id={id} value={filter.state} onChange={(e) => setFilter({ state: e.target.value })}>
                <option value="">All states</option>
                {states.map((t) => (
                  <option key={t} value={t}>
                    {stateLabels[t] ?? t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Algorithm">
            {(id) => (
              <select id={id} value={filter.algorithm} onChange={(e) => setFilter({ algorithm: e.target.value })}>
                <option value="">All algorithms</option>
                {algorithms.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Created from">
            {(id) => (
              <input
                id={id}
                type="date"
                value={filter.createdFrom}
                onChange={(e) => setFilter({ createdFrom: e.target.value })}
              />
            )}
          </Field>
          <Field label="Created to">
            {(id) => (
              <input
                id={id}
                type="date"
                value={filter.createdTo}
                onChange={(e) => setFilter({ createdTo: e.target.value })}
              />
            )}
          </Field>
        </div>
        <div className="list-meta" aria-live="polite">
          <span data-testid="object-count">
            {filtered
              ? `${shown.length.toLocaleString()} of ${objects.length.toLocaleString()} objects`
              : `${objects.length.toLocaleString()} objects`}
          </span>
          {filtered && (
            <button type="button" className="link" onClick={resetFilter}>
              Clear filters
            </button>
          )}
        </div>
        <div className="list-head" aria-hidden="true">
          <span className="c-name">Name</span>
          <span className="c-type">Type</span>
          <span className="c-alg">Algorithm</span>
          <span className="c-state">State</span>
          <span className="c-date">Created</span>
        </div>
        {status === 'error' && error ? (
          <ErrorBox error={error} />
        ) : objects.length === 0 && status === 'ready' ? (
          <div className="empty">
            <h3>The vault is empty</h3>
            <p className="muted">Generate a key or import a certificate to begin.</p>
            <div className="row center">
              <button type="button" onClick={() => setScreen('generate')}>
                Generate a key
              </button>
              <button type="button" className="secondary" onClick={() => setScreen('certificates')}>
                Import a certificate
              </button>
            </div>
          </div>
        ) : (
          <VirtualList
            items={shown}
            rowHeight={40}
            getKey={(o) => o.uniqueIdentifier}
            selectedKey={selectedId}
            onSelect={(o) => void select(o.uniqueIdentifier)}
            label="Objects in the vault"
            renderRow={(o) => <Row o={o} />}
          />
        )}
      </section>
      <DetailPane />
    </div>
  );
}
