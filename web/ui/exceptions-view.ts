import type { Exceptions } from '../server/schemas.js';
import { el, time } from './format.js';
import { table } from './table.js';

/** The exceptions tab: failures, restarts and warnings, newest first, with the operator and subtask they name. */
export function renderExceptions(view: Exceptions, container: HTMLElement): void {
  container.replaceChildren(
    el('p', {}, `restarts: ${view.restarts}`),
    view.entries.length === 0
      ? el('p', {}, 'no failures, restarts or warnings')
      : table(
          ['time', 'kind', 'operator', 'subtask', 'restored checkpoint', 'message'],
          view.entries,
          (e) => [time(e.time), e.kind, e.uid ?? '–', e.subtask === null ? '–' : String(e.subtask), e.checkpointId === null ? '–' : String(e.checkpointId), el('pre', {}, e.message)],
          (e) => ({ class: `exception-${e.kind}` }),
        ),
  );
}
