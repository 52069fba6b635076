import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import type { JobGraph } from '../../compiler/graph/job-graph.js';
import { describeJsValue } from '../describe-js-value.js';
import { JobInputError } from '../job-input-error.js';
import type { CallbackSinkOptions, SinkCallback } from '../operators/callback-sink.js';
import type { SourceFeed } from '../operators/iterable-source.js';

function isFeed(value: unknown): value is SourceFeed {
  // A string is iterable, but of characters: never a feed of rows.
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  const feed = value as Partial<Record<symbol, unknown>>;
  return typeof feed[Symbol.iterator] === 'function' || typeof feed[Symbol.asyncIterator] === 'function';
}

/**
 * Checks the `sources` and `sinks` given to `Job.start` before anything runs: each key must be the uid of a source
 * (of a sink) of the graph, each feed an (async) iterable; `callbackSinks` checks each sink. A key that named nothing would
 * otherwise be ignored, and a wrong value fail only once the job reads or writes.
 */
export function checkJobInputs(graph: JobGraph, sources: ReadonlyMap<string, unknown>, sinks: ReadonlyMap<string, unknown>): void {
  checkKeys(graph, 'sources', 'source', sources);
  checkKeys(graph, 'sinks', 'sink', sinks);
  for (const [uid, feed] of sources) {
    if (!isFeed(feed)) throw new JobInputError(Diagnostics.FeedNotIterable, { uid, value: describeJsValue(feed) });
  }
}

/** The sinks given to `Job.start` as callbacks with options: each a function, or `{ callback, maxInFlight? }`. */
export function callbackSinks(sinks: ReadonlyMap<string, unknown>): ReadonlyMap<string, CallbackSinkOptions> {
  const checked = new Map<string, CallbackSinkOptions>();
  for (const [uid, target] of sinks) {
    if (typeof target === 'function') {
      checked.set(uid, { callback: target as SinkCallback });
      continue;
    }
    const options = target !== null && typeof target === 'object' ? (target as Partial<Record<keyof CallbackSinkOptions, unknown>>) : undefined;
    if (typeof options?.callback !== 'function') throw new JobInputError(Diagnostics.SinkNotFunction, { uid, value: describeJsValue(target) });
    const { maxInFlight } = options;
    if (maxInFlight !== undefined && !(typeof maxInFlight === 'number' && Number.isInteger(maxInFlight) && maxInFlight >= 1)) {
      throw new JobInputError(Diagnostics.SinkMaxInFlightInvalid, { uid, value: describeJsValue(maxInFlight) });
    }
    checked.set(uid, { callback: options.callback as SinkCallback, ...(maxInFlight === undefined ? {} : { maxInFlight }) });
  }
  return checked;
}

function checkKeys(graph: JobGraph, option: string, kind: 'source' | 'sink', given: ReadonlyMap<string, unknown>): void {
  const uids = graph.operators.flatMap((op) => (op.spec.kind === kind && op.uid !== null ? [op.uid] : []));
  for (const uid of given.keys()) {
    if (!uids.includes(uid)) {
      throw new JobInputError(Diagnostics.UnknownFedUid, { option, kind, uid, uids: uids.length === 0 ? '(none)' : uids.map((u) => `'${u}'`).join(', ') });
    }
  }
}

