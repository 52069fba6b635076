/** The signals that stop a running job cleanly. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Where signals come from: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(signal: StopSignal, listener: () => void): unknown;
  off(signal: StopSignal, listener: () => void): unknown;
}

export interface StopSignalHandlers {
  /** The first SIGINT or SIGTERM: stop the job cleanly. */
  readonly stop: (signal: StopSignal) => void;
  /** Any signal after that: the user insists (a second Ctrl-C), so give up on a clean stop. */
  readonly force: (signal: StopSignal) => void;
}

/**
 * Listens for SIGINT and SIGTERM while a job runs, replacing Node's default of dying on the spot, so that the
 * job is cancelled and its sinks abort their uncommitted output. Returns the function that stops listening.
 */
export function watchStopSignals(source: SignalSource, handlers: StopSignalHandlers): () => void {
  let stopping = false;
  const listeners = new Map<StopSignal, () => void>();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const listener = () => {
      if (stopping) {
        handlers.force(signal);
      } else {
        stopping = true;
        handlers.stop(signal);
      }
    };
    listeners.set(signal, listener);
    source.on(signal, listener);
  }
  return () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}
