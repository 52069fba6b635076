import type { WindowStep } from '../../grammar/ast/index.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { ExprContext } from '../expressions/check-expr.js';
import type { ProcessFunctionSignature } from '../functions/registry.js';
import type { Catalog } from '../names/catalog.js';
import type { GraphBuilder } from './graph-builder.js';
import type { PlannedStream } from './planned-stream.js';

/** What every planning function needs; one per compilation. */
export interface PlanContext {
  readonly bag: DiagnosticBag;
  readonly exprs: ExprContext;
  readonly graph: GraphBuilder;
  readonly catalog: Catalog;
  readonly processes: ReadonlyMap<string, ProcessFunctionSignature>;
  /** The program text, for operator names. */
  readonly source: string;
  /** `table.exec.state.ttl` (0: none); the TTL itself is put into the specs by state-ttl.ts after planning. */
  readonly stateTtlMs: number;
  /**
   * Planned sources and views by name, each planned once and shared by every reader (fan-out).
   * `undefined`: the definition had errors, already reported; its readers stop quietly.
   */
  readonly streams: Map<string, PlannedStream | undefined>;
  /** The `window_assign` made for a pending WINDOW, so that a view ending in WINDOW gets one for all its readers. */
  readonly materializedWindows: Map<WindowStep, PlannedStream | undefined>;
}
