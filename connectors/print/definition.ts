import { booleanType, nonEmptyStringType } from '../../compiler/config/value-types.js';
import { option, type ConnectorDefinition } from '../../compiler/connectors/connector-definition.js';

export const printSink: ConnectorDefinition = {
  name: 'print',
  description: "Prints each row to standard output, as Flink's print connector does (`identifier> +I[…]`).",
  options: [
    option('print-identifier', nonEmptyStringType, 'A prefix that tells the output of several print sinks apart.'),
    option('standard-error', booleanType, 'Print to standard error instead of standard output.', { default: false }),
  ],
};
