import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC926x: worker threads (slots, docs/parallelism.md). A slot's thread that dies is a task failure of every task
 * it ran: the restart strategy restarts the job from its latest checkpoint, as for any other failure.
 */
export const workerDiagnostics = {
  WorkerExited: {
    code: 'SLC9260',
    severity: 'error',
    message: 'the worker thread of slot {slot} exited (code {code}) while running {tasks}',
    help: 'a function of the job called process.exit() (in a worker it ends only that thread) or the thread was ended from outside; remove the call from the function',
  },
  WorkerOutOfMemory: {
    code: 'SLC9261',
    severity: 'error',
    message: 'the worker thread of slot {slot} ran out of memory while running {tasks}',
    help: "each slot has its own heap: keep large state in the 'disk' backend (state.backend.type), give the job fewer slots (taskmanager.numberOfTaskSlots), or give Node more memory",
  },
  WorkerCrashed: {
    code: 'SLC9262',
    severity: 'error',
    message: 'the worker thread of slot {slot} failed while running {tasks}: {reason}',
    help: 'an error outside any operator (loading a functions module, opening a connector) ended the thread; the reason says which',
  },
  WorkerHung: {
    code: 'SLC9263',
    severity: 'error',
    message: 'the worker thread of slot {slot} stopped answering (no sign of life for {silentMs} ms, heartbeat.timeout {timeoutMs} ms) while running {tasks}',
    help: "a function of the job never returns (an endless loop) or blocks the thread for longer than 'heartbeat.timeout': fix the function, or raise the timeout for work that legitimately takes that long",
  },
} as const satisfies Record<string, DiagnosticDefinition>;
