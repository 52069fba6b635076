import path from 'node:path';
import type { JobConfig } from '../../../compiler/config/job-config.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { pipelineDirName } from './checkpoint-names.js';
import { FileCheckpointStorage } from './file-storage.js';
import { MemoryCheckpointStorage } from './memory-storage.js';

/**
 * The storage `state.backend.type` implies: `memory` keeps checkpoints in the process; `fs` and `disk` write
 * them under `<state.checkpoints.dir>/<pipeline.name, file-name safe>/`. Undefined when a file backend has no
 * directory (the compiler reports that when checkpointing is enabled).
 */
export function createCheckpointStorage(config: JobConfig): CheckpointStorage | undefined {
  const { backend, checkpointsDir } = config.state;
  if (backend === 'memory') return new MemoryCheckpointStorage();
  if (checkpointsDir === null) return undefined;
  return new FileCheckpointStorage(path.join(path.resolve(checkpointsDir), pipelineDirName(config.pipelineName)), backend);
}
