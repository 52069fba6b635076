import type { JobConfigView } from '../server/schemas.js';
import { el } from './format.js';
import { table } from './table.js';

/** The configuration tab: the SET settings as written, the resolved configuration, the compiler's summary and the `.pipe` source. */
export function renderConfig(view: JobConfigView, container: HTMLElement): void {
  const settings = Object.entries(view.config.settings);
  container.replaceChildren(
    el('h3', {}, 'Settings'),
    settings.length === 0 ? el('p', {}, 'defaults only') : table(['key', 'value'], settings, ([key, value]) => [key, value]),
    el('h3', {}, 'Resolved configuration'),
    el('pre', { class: 'code' }, JSON.stringify({ ...view.config, settings: undefined }, null, 2)),
    el('h3', {}, 'Compiler summary'),
    el('pre', { class: 'code' }, view.summary),
    el('h3', {}, view.source === null ? 'Source' : `Source: ${view.source.file}`),
    el('pre', { class: 'code', 'data-testid': 'pipe-source' }, view.source?.text ?? 'not known (the job was started from a job graph)'),
  );
}
