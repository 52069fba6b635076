/**
 * The binary key of a cell in the disk backend's store: key group (2 bytes, big-endian), then state, key,
 * namespace and, for a map entry, the encoded map key, as UTF-8, each of the first three ended by a 0 byte.
 * Byte order of these keys is the canonical snapshot order (key group, then each part in code point order, which
 * is UTF-8 byte order), so a key-group range is one key range and a scan comes out sorted as snapshots need.
 * A 0 or 1 byte inside a part is escaped (0 → 1 1, 1 → 1 2) so that the 0 terminators keep that order; parts
 * hold no such bytes in practice (encoded keys are JSON), so the usual path is a plain UTF-8 write.
 *
 * Value cells end after the namespace's terminator; map entries add the map key (never empty: it is JSON), and
 * all entries of one map cell share the value cell's key as prefix.
 */

const NEEDS_ESCAPE = /[\u0000\u0001]/;

function escapePart(part: string): string {
  return NEEDS_ESCAPE.test(part) ? part.replace(/\u0001/g, '\u0001\u0002').replace(/\u0000/g, '\u0001\u0001') : part;
}

function unescapePart(part: string): string {
  return part.includes('\u0001') ? part.replace(/\u0001[\u0001\u0002]/g, (pair) => (pair === '\u0001\u0001' ? '\u0000' : '\u0001')) : part;
}

function withKeyGroup(keyGroup: number, text: string): Buffer {
  const buffer = Buffer.allocUnsafe(2 + Buffer.byteLength(text));
  buffer.writeUInt16BE(keyGroup, 0);
  buffer.write(text, 2);
  return buffer;
}

/** The key of a value cell (`mapKey` undefined) or of one entry of a map cell. */
export function encodeCellKey(keyGroup: number, state: string, key: string, namespace: string, mapKey: string | undefined): Buffer {
  const text = `${escapePart(state)}\u0000${escapePart(key)}\u0000${escapePart(namespace)}\u0000${mapKey === undefined ? '' : escapePart(mapKey)}`;
  return withKeyGroup(keyGroup, text);
}

/** What the keys of every cell of `key` in `state` start with (all its namespaces and map entries). */
export function keyCellsPrefix(keyGroup: number, state: string, key: string): Buffer {
  return withKeyGroup(keyGroup, `${escapePart(state)}\u0000${escapePart(key)}\u0000`);
}

/** The first key of `keyGroup`; `keyGroupPrefix(g + 1)` is the first key after it. */
export function keyGroupPrefix(keyGroup: number): Buffer {
  const buffer = Buffer.allocUnsafe(2);
  buffer.writeUInt16BE(keyGroup, 0);
  return buffer;
}

export interface DecodedCellKey {
  readonly keyGroup: number;
  readonly state: string;
  readonly key: string;
  readonly namespace: string;
  /** Undefined for a value cell. */
  readonly mapKey: string | undefined;
}

export function decodeCellKey(buffer: Uint8Array): DecodedCellKey {
  const keyGroup = (buffer[0]! << 8) | buffer[1]!;
  const parts = Buffer.from(buffer.buffer, buffer.byteOffset + 2, buffer.byteLength - 2).toString('utf8').split('\u0000');
  if (parts.length !== 4) throw new Error(`not a cell key of the disk backend (${parts.length} parts)`);
  const [state, key, namespace, mapKey] = parts as [string, string, string, string];
  return { keyGroup, state: unescapePart(state), key: unescapePart(key), namespace: unescapePart(namespace), mapKey: mapKey === '' ? undefined : unescapePart(mapKey) };
}

/** The namespace and map key of a cell key whose first `from` bytes are a `keyCellsPrefix` (the key group, state and key are known). */
export function decodeCellSuffix(buffer: Uint8Array, from: number): Pick<DecodedCellKey, 'namespace' | 'mapKey'> {
  const parts = Buffer.from(buffer.buffer, buffer.byteOffset + from, buffer.byteLength - from).toString('utf8').split('\u0000');
  if (parts.length !== 2) throw new Error(`not a cell key of the disk backend (${parts.length + 2} parts)`);
  const [namespace, mapKey] = parts as [string, string];
  return { namespace: unescapePart(namespace), mapKey: mapKey === '' ? undefined : unescapePart(mapKey) };
}
