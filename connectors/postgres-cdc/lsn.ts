/**
 * PostgreSQL log sequence numbers ('16/B374D848': high and low 32 bits in hex) as bigints, to compare and store.
 * Checkpoints keep them as text, the way PostgreSQL prints them.
 */
export function parseLsn(text: string): bigint {
  const slash = text.indexOf('/');
  if (slash <= 0 || !/^[0-9A-Fa-f]{1,8}\/[0-9A-Fa-f]{1,8}$/.test(text)) throw new Error(`'${text}' is not a PostgreSQL LSN`);
  return (BigInt(`0x${text.slice(0, slash)}`) << 32n) | BigInt(`0x${text.slice(slash + 1)}`);
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}

/** The LSN in a message of the replication protocol, 8 bytes big-endian at `offset`. */
export function readLsn(buffer: Buffer, offset: number): bigint {
  return buffer.readBigUInt64BE(offset);
}
