import type { CheckpointEntry, Checkpoints } from '../server/schemas.js';
import { bytes, count, duration, el, time } from './format.js';
import { table } from './table.js';

type MinAvgMax = Checkpoints['summary']['durationMs'];

function summaryRow(label: string, values: MinAvgMax, format: (n: number) => string): (string | Node)[] {
  return values === null ? [label, '–', '–', '–'] : [label, format(values.min), format(values.avg), format(values.max)];
}

function detail(entry: CheckpointEntry): HTMLElement {
  const operators = table(
    ['operator', 'subtask', 'bytes written', 'state', 'alignment', 'sync', 'async'],
    entry.operators.flatMap((op) => [
      { ...op, label: op.uid ?? op.id, subtask: 'all' },
      ...op.subtasks.map((s) => ({ ...s, label: '', subtask: String(s.subtask) })),
    ]),
    (row) => [row.label, row.subtask, bytes(row.bytes), bytes(row.stateBytes), duration(row.alignmentMs), duration(row.syncMs), duration(row.asyncMs)],
  );
  return el('div', { class: 'checkpoint-detail' }, el('h4', {}, `checkpoint ${entry.id}${entry.location === null ? '' : ` — ${entry.location}`}`), operators);
}

/** The checkpoints tab: counts, the latest, the history (a click shows per-operator and per-subtask detail), summary, configuration, savepoints. */
export function renderCheckpoints(view: Checkpoints, container: HTMLElement, opened: { id: number | undefined }): void {
  const { counts, latest, history, summary, config, savepoints } = view;
  const detailBox = el('div', {});
  const show = (entry: CheckpointEntry) => {
    opened.id = entry.id;
    detailBox.replaceChildren(detail(entry));
  };
  const historyTable = table(
    ['id', 'type', 'status', 'triggered', 'duration', 'sync', 'async', 'alignment', 'bytes', 'state', 'acknowledged'],
    history,
    (c) => [
      String(c.id) + (c.final ? ' (final)' : ''),
      c.unaligned ? `${c.type}, unaligned (${bytes(c.inFlightBytes)} in flight)` : c.type,
      c.status + (c.failure === null ? '' : `: ${c.failure}`),
      time(c.triggeredAt),
      c.status === 'in-progress' ? '…' : duration(c.durationMs),
      duration(c.syncMs),
      duration(c.asyncMs),
      duration(c.alignmentMs),
      bytes(c.bytes),
      bytes(c.stateBytes),
      `${c.acknowledged}/${c.total}`,
    ],
    (c) => ({ class: `checkpoint-row status-${c.status}`, 'data-checkpoint-id': String(c.id) }),
  );
  historyTable.setAttribute('data-testid', 'checkpoint-history');
  historyTable.querySelectorAll('tbody tr').forEach((row, i) => row.addEventListener('click', () => show(history[i]!)));
  const reopened = history.find((c) => c.id === opened.id);
  if (reopened !== undefined) detailBox.replaceChildren(detail(reopened));

  container.replaceChildren(
    el(
      'div',
      { class: 'cards' },
      el('div', { class: 'card' }, el('b', {}, 'completed'), el('span', { 'data-testid': 'checkpoints-completed' }, count(counts.completed))),
      el('div', { class: 'card' }, el('b', {}, 'failed'), el('span', {}, count(counts.failed))),
      el('div', { class: 'card' }, el('b', {}, 'in progress'), el('span', {}, count(counts.inProgress))),
      el('div', { class: 'card' }, el('b', {}, 'latest completed'), el('span', {}, latest.completed === null ? '–' : `${latest.completed.id} at ${time(latest.completed.triggeredAt)}`)),
      el('div', { class: 'card' }, el('b', {}, 'latest failed'), el('span', {}, latest.failed === null ? '–' : `${latest.failed.id}: ${latest.failed.failure ?? ''}`)),
    ),
    el('h3', {}, 'History'),
    historyTable,
    detailBox,
    el('h3', {}, 'Summary (completed checkpoints above)'),
    table(['', 'min', 'average', 'max'], [
      summaryRow('end-to-end duration', summary.durationMs, duration),
      summaryRow('checkpointed bytes', summary.bytes, bytes),
      summaryRow('state size', summary.stateBytes, bytes),
      summaryRow('alignment', summary.alignmentMs, duration),
      summaryRow('sync', summary.syncMs, duration),
      summaryRow('async', summary.asyncMs, duration),
    ], (row) => row),
    el('h3', {}, 'Configuration'),
    table(['setting', 'value'], [
      ['interval', config.intervalMs === null ? 'disabled' : duration(config.intervalMs)],
      ['mode', config.mode],
      ['timeout', duration(config.timeoutMs)],
      ['min pause', duration(config.minPauseMs)],
      ['max concurrent', String(config.maxConcurrent)],
      ['retention', config.retention],
      ['tolerable failures', String(config.tolerableFailures)],
      ['retained', String(config.numRetained)],
      ['checkpoints dir', config.checkpointsDir ?? '–'],
      ['savepoints dir', config.savepointsDir ?? '–'],
    ], (row) => row),
    el('h3', {}, 'Savepoints'),
    savepoints.length === 0
      ? el('p', {}, 'none taken from this dashboard yet')
      : table(['time', 'trigger', 'path'], savepoints, (s) => [time(s.time), s.trigger, s.path], () => ({ class: 'savepoint-row' })),
  );
}
