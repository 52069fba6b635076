import { redactGraphSecrets } from '../../connectors/secrets.js';
import { JobGraphSchema, type JobGraph } from '../graph/job-graph.js';

/**
 * The job graph as pretty JSON (two-space indent, final newline), the contract the runtime loads. Parsing
 * through the schema first puts keys in schema order and makes an invalid graph — a compiler bug — fail here
 * rather than in the runtime.
 */
export function toJson(graph: JobGraph): string {
  // Credentials stay out of printed graphs (connectors/secrets.ts).
  return `${JSON.stringify(JobGraphSchema.parse(redactGraphSecrets(graph)), null, 2)}\n`;
}
