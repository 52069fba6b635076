/**
 * A restore the runtime refuses or cannot do, in words a user acts on: `message` says what is wrong (naming the
 * checkpoint, file, operator uid or setting), `help` what to do. `Job.start` rejects with it before any task runs.
 */
export class CheckpointRestoreError extends Error {
  constructor(
    message: string,
    readonly help: string,
  ) {
    super(`${message}\nhelp: ${help}`);
    this.name = 'CheckpointRestoreError';
  }
}
