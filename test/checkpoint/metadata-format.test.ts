import { describe, expect, it } from 'vitest';
import { parseMetadata, serializeMetadata, type CheckpointMetadata } from '../../runtime/checkpoint/metadata/metadata-format.js';
import { canonicalJson } from '../../runtime/checkpoint/metadata/canonical-text.js';
import { metadataChecksum } from '../../runtime/checkpoint/metadata/metadata-checksum.js';
import { METADATA_FORMAT } from '../../runtime/checkpoint/metadata/metadata-v1.js';

const metadata: CheckpointMetadata = {
  format: METADATA_FORMAT,
  version: 10,
  type: 'checkpoint',
  jobId: 'orders-1a2b3c4d',
  pipelineName: 'orders',
  graphDigest: 'f'.repeat(64),
  checkpointId: 12,
  timestamp: 1_700_000_000_000,
  maxParallelism: 128,
  stateBackend: 'fs',
  operators: [
    {
      uid: 'orders-source',
      id: 'orders-source',
      kind: 'source',
      name: 'Source(orders)',
      parallelism: 1,
      state: [],
      spec: { kind: 'source', connector: 'file' },
      subtasks: [
        {
          subtask: 0,
          keyGroupRange: { start: 0, end: 127 },
          keyedState: [],
          // Operator state keeps any plain data, numbers JSON cannot spell included.
          operatorState: [{ name: 'splits', redistribution: 'split', items: [{ split: { id: 'a.jsonl' }, position: { byteOffset: 42, watermark: -Infinity }, finished: false }] }],
          rawState: [],
        },
      ],
    },
  ],
  graph: null,
  unaligned: false,
  channelState: [],
};

describe('checkpoint metadata', () => {
  it('round-trips through its canonical text, which starts with the format and its version', () => {
    const text = serializeMetadata(metadata);
    expect(text.split('\n').slice(0, 5)).toEqual([
      '{',
      `  "format": "${METADATA_FORMAT}",`,
      '  "version": 10,',
      expect.stringMatching(/^ {2}"checksum": "[0-9a-f]{64}",$/),
      '  "channelState": [],',
    ]);
    expect(parseMetadata(text, 'chk-12/_metadata')).toEqual({ metadata });
    expect(serializeMetadata({ ...metadata, operators: [...metadata.operators] })).toBe(text);
  });

  it('reads version 1, which recorded no job graph, as the current version without one', () => {
    const { graph: _graph, ...v1 } = { ...metadata, version: 1 };
    expect(parseMetadata(canonicalJson(v1), 'm')).toEqual({ metadata });
  });

  it('reads version 2, which carried no checksum of its own', () => {
    expect(parseMetadata(canonicalJson({ ...metadata, version: 2 }), 'm')).toEqual({ metadata });
  });

  it('reads version 3, checksummed, whose state files are all complete snapshots', () => {
    const v3 = { ...metadata, version: 3 };
    expect(parseMetadata(canonicalJson({ ...v3, checksum: metadataChecksum(v3) }), 'm')).toEqual({ metadata });
  });

  it('reads version 4, whose checkpoints were all aligned, as holding no records in flight', () => {
    const { unaligned: _unaligned, channelState: _channelState, ...v4 } = { ...metadata, version: 4 };
    expect(parseMetadata(canonicalJson({ ...v4, checksum: metadataChecksum(v4) }), 'm')).toEqual({ metadata });
  });

  it('reads version 5, which had no raw state, as holding none', () => {
    const operators = metadata.operators.map(({ subtasks, ...op }) => ({ ...op, subtasks: subtasks.map(({ rawState: _raw, ...subtask }) => subtask) }));
    const v5 = { ...metadata, version: 5, operators };
    expect(parseMetadata(canonicalJson({ ...v5, checksum: metadataChecksum(v5) }), 'm')).toEqual({ metadata });
  });

  it('round-trips the raw state files of a subtask, apart from its operator state', () => {
    const rawState = [{ name: 'totals', path: 'p-0.totals.raw', bytes: 17, sha256: 'b'.repeat(64) }];
    const withRaw: CheckpointMetadata = { ...metadata, operators: [{ ...metadata.operators[0]!, subtasks: [{ ...metadata.operators[0]!.subtasks[0]!, rawState }] }] };
    expect(parseMetadata(serializeMetadata(withRaw), 'm')).toEqual({ metadata: withRaw });
    // A Sluice reading version 5 would drop raw state without a word: the version says it holds what only 6 reads.
    expect(serializeMetadata(withRaw)).toMatch(/^\{\n {2}"format": "sluice-checkpoint-metadata",\n {2}"version": 10,/);
  });

  it('reads version 6, whose state files are all JSON lines, unchanged', () => {
    const v6 = { ...metadata, version: 6 };
    expect(parseMetadata(canonicalJson({ ...v6, checksum: metadataChecksum(v6) }), 'm')).toEqual({ metadata });
  });

  it('reads version 7, whose bases hold every timer, unchanged (a restore registers window timers from the entries either way)', () => {
    const v7 = { ...metadata, version: 7 };
    expect(parseMetadata(canonicalJson({ ...v7, checksum: metadataChecksum(v7) }), 'm')).toEqual({ metadata });
  });

  it('reads version 9, whose window joins hold each entry\'s rows as a list, unchanged (the join packs an entry when it reads it)', () => {
    const v9 = { ...metadata, version: 9 };
    expect(parseMetadata(canonicalJson({ ...v9, checksum: metadataChecksum(v9) }), 'm')).toEqual({ metadata });
  });

  it('reads version 8, whose window aggregates hold an entry per window, unchanged (the operator packs them when it opens)', () => {
    const v8 = { ...metadata, version: 8 };
    expect(parseMetadata(canonicalJson({ ...v8, checksum: metadataChecksum(v8) }), 'm')).toEqual({ metadata });
  });

  it('round-trips the in-flight records of an unaligned checkpoint, listed apart from operator state', () => {
    const unaligned: CheckpointMetadata = {
      ...metadata,
      unaligned: true,
      channelState: [
        {
          edge: { from: 'filter-1', to: 'aggregate-2', toInput: 0 },
          fromSubtask: 1,
          toSubtask: 0,
          direction: 'output',
          path: 'chain-1-1-.output.inflight',
          bytes: 120,
          sha256: 'a'.repeat(64),
          batches: 2,
          records: 7,
        },
      ],
    };
    expect(parseMetadata(serializeMetadata(unaligned), 'm')).toEqual({ metadata: unaligned });
  });

  it('refuses a file whose content no longer matches its checksum: an edited source offset, an edited checkpoint id', () => {
    const text = serializeMetadata(metadata);
    const offset = text.replace('"byteOffset": 42', '"byteOffset": 41');
    const id = text.replace('"checkpointId": 12', '"checkpointId": 13');
    for (const edited of [offset, id]) {
      expect(edited).not.toBe(text);
      expect(parseMetadata(edited, 'chk-12/_metadata')).toEqual({
        error: 'chk-12/_metadata does not match its checksum: its content was altered after it was written (edited by hand, or damaged on disk)',
      });
    }
    // Layout is not content: the same document re-indented still reads.
    expect(parseMetadata(JSON.stringify(JSON.parse(text)), 'm')).toEqual({ metadata });
  });

  it('refuses a checksummed version without its checksum', () => {
    expect(parseMetadata(JSON.stringify(metadata), 'm')).toEqual({
      error: 'm has no "checksum", which its format version always writes: the file was edited by hand or damaged',
    });
  });

  it('says a file is not JSON, and what likely happened', () => {
    expect(parseMetadata('{"format": "sluice-checkpoint-met', 'x/_metadata')).toEqual({
      error: 'x/_metadata is not valid JSON. Likely causes: the file was truncated (a copy or disk that ran out of space) or edited by hand, or it is not a Sluice _metadata file.',
    });
  });

  it('recognises a foreign file', () => {
    expect(parseMetadata('{"version": 4, "operatorStates": []}', 'x/_metadata')).toEqual({ error: expect.stringMatching(/^x\/_metadata is not Sluice checkpoint metadata .*Flink checkpoint/) });
  });

  it('refuses a version written by a newer Sluice, and an unknown one', () => {
    expect(parseMetadata(JSON.stringify({ ...metadata, version: 11 }), 'm')).toEqual({ error: expect.stringMatching(/^m has metadata format version 11, newer than this Sluice reads \(up to 10\)/) });
    expect(parseMetadata(JSON.stringify({ ...metadata, version: 0 }), 'm')).toEqual({ error: expect.stringMatching(/^m has an unknown metadata format version 0; known versions: 1, 2, 3, 4, 5, 6, 7, 8, 9, 10/) });
  });

  it('names the field of a document that does not match its version’s schema', () => {
    const broken = { ...metadata, operators: [{ ...metadata.operators[0]!, subtasks: [{ subtask: 0 }] }] };
    expect(parseMetadata(JSON.stringify({ ...broken, version: 2 }), 'm')).toEqual({ error: expect.stringMatching(/^m is not valid version 2 metadata at operators\.0\.subtasks\.0\.keyGroupRange: /) });
  });
});
