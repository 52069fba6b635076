import { isMainThread, workerData } from 'node:worker_threads';

// A functions module (as `--functions` takes it, imported in every worker as the worker starts) that announces its
// worker's slot on a broadcast channel: worker-start.test.ts sees from it when the slots' threads started.
if (!isMainThread) {
  const channel = new BroadcastChannel('sluice-test-worker-start');
  channel.postMessage(workerData.slot);
  channel.close();
}

export const functions = [];
