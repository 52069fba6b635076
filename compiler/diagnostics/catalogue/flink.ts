import type { DiagnosticDefinition } from '../diagnostic.js';

/**
 * SLC7xxx: exporting a pipeline to Flink SQL (`sluice compile --emit flink-sql`). Errors name a construct
 * that has no Flink translation; warnings name a documented rewrite whose behaviour on Flink differs in a
 * way the user should know of (docs/flink.md).
 */
export const flinkDiagnostics = {
  NoFlinkTranslation: {
    code: 'SLC7001',
    severity: 'error',
    message: "{what} in step '{step}' has no Flink SQL translation",
    help: '{why}; see docs/flink.md for what translates',
  },
  JavaScriptOnFlink: {
    code: 'SLC7002',
    severity: 'error',
    message: "{what} in step '{step}' is JavaScript, which cannot run on Flink",
    help: 'rewrite it with built-in SQL (functions, AGGREGATE, JOIN, DEDUPLICATE), or port it to a Java UDF or DataStream job and register it in Flink yourself',
  },
  FlinkRewrite: {
    code: 'SLC7010',
    severity: 'warning',
    message: "{what} of '{step}' behaves differently on Flink: {difference}",
    help: '{help}',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
