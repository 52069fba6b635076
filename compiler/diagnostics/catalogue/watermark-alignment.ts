import type { DiagnosticDefinition } from '../diagnostic.js';

/** Watermark alignment of sources (`'scan.watermark.alignment.*'` options): SLC1080–SLC1084; runtime SLC9280–SLC9284. */
export const watermarkAlignmentDiagnostics = {
  AlignmentGroupWithoutMaxDrift: {
    code: 'SLC1080',
    severity: 'error',
    message: "source '{name}' is in watermark alignment group '{group}' but has no 'scan.watermark.alignment.max-drift'",
    help: "add 'scan.watermark.alignment.max-drift' = '…' (e.g. '1 s'): how far its watermark may run ahead of the group's slowest source before it pauses",
  },
  AlignmentOptionWithoutGroup: {
    code: 'SLC1081',
    severity: 'error',
    message: "'{key}' of source '{name}' has no effect without 'scan.watermark.alignment.group'",
    help: "add 'scan.watermark.alignment.group' = '…', the same name on every source to align, or remove '{key}'",
  },
  AlignmentWithoutWatermark: {
    code: 'SLC1082',
    severity: 'error',
    message: "source '{name}' has no watermark, so it cannot be in watermark alignment group '{group}'",
    help: 'declare WATERMARK FOR <time column> AS … on the source, or remove its scan.watermark.alignment options',
  },
  LonelyAlignmentGroup: {
    code: 'SLC1083',
    severity: 'warning',
    message: "watermark alignment group '{group}' has only source '{name}', at parallelism 1: there is nothing to align it with",
    help: 'give the sources to align the same group name (check its spelling), or remove the scan.watermark.alignment options',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
