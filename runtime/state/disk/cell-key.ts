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

/**
 * Encodes cell keys into one reused buffer, for the backend's hot path: the store copies a key it is passed, so a
 * key is only needed until the next is encoded, and no buffer is allocated per access. A part of plain ASCII
 * without 0 or 1 (every JSON-encoded key, in practice) is copied a char at a time; anything else goes through
 * `escapePart` and the UTF-8 encoder.
 */
export class CellKeyWriter {
  private bytes = Buffer.allocUnsafe(256);
  private length = 0;

  /** The key of a value cell (`mapKey` undefined) or of one entry of a map cell: valid until the next call. */
  cell(keyGroup: number, state: string, key: string, namespace: string, mapKey: string | undefined): Buffer {
    this.start(keyGroup);
    this.part(state, true);
    this.part(key, true);
    this.part(namespace, true);
    if (mapKey !== undefined) this.part(mapKey, false);
    return this.bytes.subarray(0, this.length);
  }

  /** What the keys of every cell of `key` in `state` start with: valid until the next call. */
  keyCells(keyGroup: number, state: string, key: string): Buffer {
    this.start(keyGroup);
    this.part(state, true);
    this.part(key, true);
    return this.bytes.subarray(0, this.length);
  }

  private start(keyGroup: number): void {
    this.bytes[0] = keyGroup >>> 8;
    this.bytes[1] = keyGroup & 0xff;
    this.length = 2;
  }

  private part(text: string, terminated: boolean): void {
    // Room for the worst case: every UTF-16 unit escaped or 3 bytes of UTF-8, and the terminator.
    const needed = this.length + 3 * text.length + 1;
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, 2 * this.bytes.length));
      this.bytes.copy(grown, 0, 0, this.length);
      this.bytes = grown;
    }
    const bytes = this.bytes;
    const start = this.length;
    let at = start;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code <= 1 || code >= 0x80) {
        at = start + bytes.write(escapePart(text), start, 'utf8');
        break;
      }
      bytes[at++] = code;
    }
    if (terminated) bytes[at++] = 0;
    this.length = at;
  }
}

const writer = new CellKeyWriter();

/** The key of a value cell (`mapKey` undefined) or of one entry of a map cell, in a buffer of its own. */
export function encodeCellKey(keyGroup: number, state: string, key: string, namespace: string, mapKey: string | undefined): Buffer {
  return Buffer.from(writer.cell(keyGroup, state, key, namespace, mapKey));
}

/** What the keys of every cell of `key` in `state` start with (all its namespaces and map entries), in a buffer of its own. */
export function keyCellsPrefix(keyGroup: number, state: string, key: string): Buffer {
  return Buffer.from(writer.keyCells(keyGroup, state, key));
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
