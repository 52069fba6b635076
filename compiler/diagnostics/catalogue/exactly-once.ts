import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC9120–SLC9129: refusals of the exactly-once file sink and of restores that would write its committed output
 * again. Like every SLC9xxx code they make the CLI exit with code 2 when `sluice run` refuses to start; thrown
 * while the job runs (a full disk), they fail the job with the code in its message.
 */
export const exactlyOnceDiagnostics = {
  SinkWriteFailed: {
    code: 'SLC9120',
    severity: 'error',
    message: "file sink '{uid}' cannot write {file}: {reason}",
    help:
      'nothing of the unfinished part file is committed, and the checkpoint that needed it fails; free space on that device (or fix ' +
      'the fault), then run with --resume: the job continues from its last completed checkpoint and writes those rows again',
  },
  PendingFileChanged: {
    code: 'SLC9121',
    severity: 'error',
    message: "file sink '{uid}' cannot commit {file} of checkpoint {checkpoint}: the pending file has {actual} bytes, {expected} were written and synced",
    help:
      'the file was changed after its checkpoint was taken (truncated by another process, or lost by the file system); it is left ' +
      'uncommitted. Restore a checkpoint older than {checkpoint} with --from <dir> --rewind-sinks, or start the job from scratch',
  },
  CommittedOutputNewer: {
    code: 'SLC9122',
    severity: 'error',
    message:
      "file sink '{uid}' in {dir} already holds output committed by checkpoint {committed}, newer than checkpoint {restoring} being " +
      'restored: restoring it would write those rows again ({files})',
    help:
      'run again with --rewind-sinks to move the output committed after checkpoint {restoring} into {dir}/_rewound-after-chk-{restoring}-<time>/ ' +
      'and write it again from the restored state (exact output), or restore a checkpoint at least as new as {committed}',
  },
  CommittedOutputWithoutCheckpoint: {
    code: 'SLC9123',
    severity: 'error',
    message:
      "cannot resume: no usable checkpoint of pipeline '{pipeline}' is left ({reason}), and file sink '{uid}' in {dir} holds output " +
      'committed by checkpoint {committed}; starting from scratch would write those rows again',
    help:
      'run with --resume --rewind-sinks to move all of that output into {dir}/_rewound-after-chk-0-<time>/ and start from scratch, or run ' +
      'without --resume to start a new run that writes its part files next to the old ones',
  },
  RewindWithoutRestore: {
    code: 'SLC9124',
    severity: 'error',
    message: '--rewind-sinks needs --resume or --from: it rewinds file sinks to the checkpoint the job restores',
    help: 'add --resume (the latest checkpoint) or --from <checkpoint dir>',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
