import type { StreamSchema } from '../../compiler/graph/job-graph.js';
import type { Field } from '../../compiler/types/sql-type.js';
import type { ConnectorOptions } from '../../runtime/connectors/options.js';
import { postgresSettings, type PostgresSettings } from '../postgres/connection.js';
import { CHANGELOG_MODES, derivedPublication, splitTableName, STARTUP_MODES } from './definition.js';
import { quoteIdent } from './table-setup.js';

/** The postgres-cdc source's options, read once (the compiler validated them). */
export interface CdcSettings {
  readonly connection: PostgresSettings;
  /** For messages: "postgres-cdc source 'orders-cdc'". */
  readonly role: string;
  readonly shownUrl: string;
  readonly schema: string;
  readonly tableName: string;
  /** `schema.table`, for messages. */
  readonly table: string;
  readonly quotedTable: string;
  readonly slot: string;
  readonly publication: string;
  readonly startup: 'initial' | 'latest-offset';
  readonly changelogMode: 'upsert' | 'all';
  readonly fetchSize: number;
  readonly fields: readonly Field[];
  readonly primaryKey: readonly string[];
}

/** `who`: the source's uid when known (at start-up), else its slot, for messages. */
export function cdcSettings(options: ConnectorOptions, schema: StreamSchema, who?: string): CdcSettings {
  const connection = postgresSettings(options);
  const slot = options.string('slot.name');
  const role = who === undefined ? `postgres-cdc source (slot '${slot}')` : `postgres-cdc source '${who}'`;
  const split = splitTableName(options.string('table-name'));
  // The compiler refused such names (SLC4062) and sources without a key (SLC4060): this is a hand-built graph.
  if (split === undefined) throw new Error(`${role}: 'table-name' is not schema.table`);
  if (schema.upsertKey === undefined) throw new Error(`${role}: the source has no primary key`);
  const { fields } = schema;
  return {
    connection,
    role,
    shownUrl: connection.shownUrl,
    schema: split.schema,
    tableName: split.table,
    table: `${split.schema}.${split.table}`,
    quotedTable: `${quoteIdent(split.schema)}.${quoteIdent(split.table)}`,
    slot,
    publication: options.has('publication.name') ? options.string('publication.name') : derivedPublication(slot),
    startup: options.oneOf('scan.startup.mode', STARTUP_MODES, 'initial'),
    changelogMode: options.oneOf('changelog-mode', CHANGELOG_MODES, 'upsert'),
    fetchSize: options.count('scan.snapshot.fetch.size', 4096),
    fields,
    primaryKey: schema.upsertKey.map((i) => fields[i]!.name),
  };
}
