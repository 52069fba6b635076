/**
 * What an event-time timer costs on its own, per state backend: registering it (a window's or a join row's
 * timer), firing it when the watermark passes, and the heap it holds while pending. `tsx bench/timers.ts [timers]`.
 *
 * Three shapes, as the Nexmark queries make them: `windows`, many keys sharing a few timestamps (every key's window
 * ends at once) registered one by one; `new-windows`, the same timers registered as a window operator does, once
 * each and as new to their key (`registerNewEventTimeTimer`: a group per window, no dedup lookup); and `rows`, a
 * key and a timestamp per timer (q7's interval join keyed by price, before its expiry left timer state).
 * Registering each timer twice (not `new-windows`) checks the deduplication: the second must find the first.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Settings } from '../compiler/config/setting-definitions.js';
import { createKeyedStateBackend } from '../runtime/state/create-backend.js';
import { CurrentKey } from '../runtime/state/current-key.js';
import type { StateBackendType } from '../runtime/state/keyed-state-backend.js';
import { TimerService } from '../runtime/time/timer-service.js';

const timers = Number(process.argv[2] ?? 200_000);
const MAX_PARALLELISM = 128;
const RANGE = { start: 0, end: MAX_PARALLELISM - 1 };

v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** `new-windows`: the `windows` shape registered once each as a window operator does now (`registerNewEventTimeTimer`). */
type Shape = 'windows' | 'new-windows' | 'rows';

/** The key and timestamp of timer `i`: 1,000 keys per timestamp, or one each. */
function timerAt(shape: Shape, i: number): [key: number, timestamp: number] {
  return shape !== 'rows' ? [i % 1000, 10_000 * Math.floor(i / 1000) + 9_999] : [i, i];
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function run(backendType: StateBackendType, shape: Shape): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-timers-'));
  const backend = createKeyedStateBackend(backendType, MAX_PARALLELISM, RANGE, { localDir: dir, name: 'timers', diskCacheBytes: Settings.diskCacheSize.default! });
  const current = new CurrentKey(MAX_PARALLELISM, RANGE, 'bench');
  const service = new TimerService(backend, current);
  collectGarbage();
  const heapBefore = process.memoryUsage().heapUsed;
  const registerStart = process.cpuUsage();
  for (let i = 0; i < timers; i++) {
    const [key, timestamp] = timerAt(shape, i);
    current.set([key]);
    if (shape === 'new-windows') {
      service.registerNewEventTimeTimer(timestamp);
      continue;
    }
    service.registerEventTimeTimer(timestamp);
    service.registerEventTimeTimer(timestamp);
  }
  const registerMs = cpuMs(registerStart);
  collectGarbage();
  const bytesPerTimer = (process.memoryUsage().heapUsed - heapBefore) / timers;
  let fired = 0;
  const fireStart = process.cpuUsage();
  service.advanceWatermark(Infinity, () => fired++);
  const fireMs = cpuMs(fireStart);
  backend.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
  if (fired !== timers) throw new Error(`${fired} timers fired, ${timers} registered`);
  const ns = (ms: number) => `${Math.round((ms * 1e6) / timers).toLocaleString('en-US')} ns`.padStart(9);
  return `${backendType.padEnd(7)} ${shape.padEnd(11)} register ×${shape === 'new-windows' ? 1 : 2} ${ns(registerMs)}  fire ${ns(fireMs)}  heap ${Math.round(bytesPerTimer).toString().padStart(4)} B/timer`;
}

console.log(`${timers.toLocaleString('en-US')} timers per run, CPU time per timer`);
run('memory', 'windows'); // warm up the JIT
for (const backend of ['memory', 'disk'] as const) {
  for (const shape of ['windows', 'new-windows', 'rows'] as const) console.log(run(backend, shape));
}
