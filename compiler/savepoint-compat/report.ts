import * as z from 'zod';
import { OriginSchema } from '../graph/job-graph.js';
import { MigrationSchema } from './migrations.js';
import { StateSizeSchema } from './snapshot-contents.js';

/**
 * The savepoint compatibility report: what `sluice compile --check-savepoint --json` prints and what a restore
 * consults before touching any data. `formatVersion` changes with every incompatible change of this shape.
 */
export const COMPATIBILITY_REPORT_FORMAT_VERSION = 1;

/**
 * One verdict per state. `compatible`: same kind, key and value schema (or only source options that keep the
 * recorded position's meaning changed); `compatible-after-migration`: restoring reshapes the values as the
 * state's `migrations` say; `incompatible`: the state cannot be restored into the new step; `dropped`: the
 * savepoint holds it and the new job does not restore it; `skipped`: the same, but it is empty; `starts-empty`:
 * the savepoint does not have it.
 */
export const StateVerdictSchema = z.enum(['compatible', 'starts-empty', 'skipped', 'compatible-after-migration', 'dropped', 'incompatible']);
export type StateVerdict = z.infer<typeof StateVerdictSchema>;

/** `restored`: the uid is in the savepoint and in the job; `new`: only in the job; `dropped`: only in the savepoint. */
export const OperatorStatusSchema = z.enum(['restored', 'new', 'dropped']);
export type OperatorStatus = z.infer<typeof OperatorStatusSchema>;

/** One reason for a verdict: an entry of the SLC6xxx catalogue with its arguments filled in. */
export const FindingSchema = z.object({
  code: z.string(),
  severity: z.enum(['error', 'warning', 'note']),
  message: z.string(),
  help: z.string().optional(),
});
export type Finding = z.infer<typeof FindingSchema>;

/** A step as one of the two job graphs has it. */
export const StepSchema = z.object({ kind: z.string(), name: z.string(), origin: OriginSchema });
export type Step = z.infer<typeof StepSchema>;

export const StateReportSchema = z.object({
  name: z.string(),
  /** Scope, kind and key, e.g. `windows (keyed map, key INT)`. */
  description: z.string(),
  /** What the savepoint holds of it; absent when it has nothing. */
  size: StateSizeSchema.optional(),
  verdict: StateVerdictSchema,
  /** Whether this state alone keeps the savepoint from being restored. */
  blocking: z.boolean(),
  /** The reasons found for this state; reasons about the whole step are the operator's `findings`. */
  reasons: z.array(FindingSchema),
  /** What restoring does to every value of it (only with `compatible-after-migration`), in order. */
  migrations: z.array(MigrationSchema),
});
export type StateReport = z.infer<typeof StateReportSchema>;

export const OperatorReportSchema = z.object({
  uid: z.string(),
  status: OperatorStatusSchema,
  /** The step in the job graph the savepoint was taken with. */
  previous: StepSchema.optional(),
  /** The step in the new job graph. */
  next: StepSchema.optional(),
  /** Reasons about the whole step; they count for each of its states. */
  findings: z.array(FindingSchema),
  states: z.array(StateReportSchema),
});
export type OperatorReport = z.infer<typeof OperatorReportSchema>;

const JobSchema = z.object({ pipelineName: z.string(), file: z.string(), maxParallelism: z.number().int().min(1) });

export const CompatibilityReportSchema = z.object({
  formatVersion: z.literal(COMPATIBILITY_REPORT_FORMAT_VERSION),
  /** True when no finding is an error: the new job may start from the savepoint. */
  restorable: z.boolean(),
  allowNonRestoredState: z.boolean(),
  /** The job the savepoint was taken from (`maxParallelism`: the key groups its keyed state is split into). */
  savepoint: JobSchema,
  job: JobSchema,
  /** Every uid of the job or the savepoint: the job's in its order, then those only the savepoint has. */
  operators: z.array(OperatorReportSchema),
});
export type CompatibilityReport = z.infer<typeof CompatibilityReportSchema>;

/** The exit code of `sluice compile --check-savepoint`: 0 when the savepoint restores, 1 when it does not. */
export function exitCodeOf(report: CompatibilityReport): 0 | 1 {
  return report.restorable ? 0 : 1;
}
