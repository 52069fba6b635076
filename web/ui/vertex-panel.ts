import type { VertexDetail } from '../server/schemas.js';
import { count, el, percent, watermark } from './format.js';
import { table } from './table.js';

/** A vertex's subtasks, shown when its box in the graph is clicked. */
export function renderVertex(vertex: VertexDetail, container: HTMLElement, onClose: () => void): void {
  const close = el('button', { type: 'button' }, 'close');
  close.addEventListener('click', onClose);
  container.replaceChildren(
    el('h3', {}, `${vertex.uid ?? vertex.id} — ${vertex.name} (${vertex.kind}, chain ${vertex.chain})`, ' ', close),
    table(
      ['subtask', 'rows in', 'rows out', 'late rows dropped', 'watermark', 'back-pressure', 'idle'],
      vertex.subtasks,
      (s) => [String(s.subtask), count(s.rowsIn), count(s.rowsOut), count(s.lateRowsDropped), watermark(s.watermark, typeof s.watermark === 'number' ? Date.now() - s.watermark : null), percent(s.backpressure), percent(s.idle)],
      () => ({ class: 'subtask-row' }),
    ),
  );
}
