/**
 * Creates the streams of examples/jetstream/bid-totals.pipe on the local nats-server (BIDS for `bids.*`, TOTALS for
 * `totals.*`, replaced if they exist) and publishes N bids (default 100000) to BIDS, half on `bids.0`, half on
 * `bids.1`: `npx tsx examples/jetstream/fill-bids.ts [N] [nats://host:port]`.
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const count = Number(process.argv[2] ?? 100_000);
const servers = process.argv[3] ?? 'nats://127.0.0.1:4222';
const nc = await connect({ servers });
const jsm = await jetstreamManager(nc);
for (const [name, subjects] of [
  ['BIDS', ['bids.*']],
  ['TOTALS', ['totals.*']],
] as const) {
  await jsm.streams.delete(name).catch(() => undefined);
  await jsm.streams.add({ name, subjects: [...subjects] });
}
const start = Date.UTC(2024, 0, 1);
for (let i = 0; i < count; i++) {
  const auction = 1000 + (i % 97);
  const bid = { auction, bidder: 5000 + ((i * 7) % 311), price: 100 + ((i * 13) % 900), date_time: new Date(start + i * 10).toISOString() };
  nc.publish(`bids.${auction % 2}`, JSON.stringify(bid));
  if (i % 5000 === 4999) await nc.flush();
}
await nc.flush();
for (;;) {
  const held = (await jsm.streams.info('BIDS')).state.messages;
  if (held >= count) break;
  await new Promise((resolve) => setTimeout(resolve, 50));
}
console.log(`BIDS holds ${count} bids; run: sluice run examples/jetstream/bid-totals.pipe`);
await nc.close();
