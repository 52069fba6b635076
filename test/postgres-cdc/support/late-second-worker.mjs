import { isMainThread, workerData } from 'node:worker_threads';

// A functions module (as `--functions` takes it, imported in every worker before its tasks are built) that holds
// back the worker running subtask 1 for 3 s: by then subtask 0, in the other worker, has opened its source.
if (!isMainThread && workerData?.tasks?.some((task) => task.endsWith('[1]'))) await new Promise((resolve) => setTimeout(resolve, 3000));

export const functions = [];
