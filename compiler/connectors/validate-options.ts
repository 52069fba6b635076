import type { ColumnDef, OptionEntry } from '../../grammar/ast/statements.js';
import type { Identifier } from '../../grammar/ast/span.js';
import { closestMatch, didYouMean } from '../config/closest-match.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import { sameType, typeToString, type Field } from '../types/sql-type.js';
import { shownValue } from '../../connectors/secrets.js';
import { commonSourceOptions } from './watermark-alignment.js';
import type { ColumnOptionDefinition, ConnectorContext, ConnectorDefinition, OptionDefinition } from './connector-definition.js';

export interface ValidatedConnector {
  /** The connector's canonical name (an alias such as 'filesystem' is resolved). */
  readonly connector: string;
  /** Canonical keys and values, defaults filled, sorted by key; `connector` itself is not repeated here. */
  readonly options: Record<string, string>;
}

/** A source's or sink's WITH clause, checked against the option table of the connector it names. */
export interface OptionsOwner {
  readonly role: 'source' | 'sink';
  readonly name: Identifier;
  readonly entries: readonly OptionEntry[];
  readonly columns: readonly Field[];
  readonly columnDefs: readonly ColumnDef[];
}

/**
 * Validates and normalises a WITH clause. Undefined only when the connector itself is missing or unknown;
 * otherwise the options are returned even when some were reported as errors.
 */
export function validateOptions(owner: OptionsOwner, connectors: readonly ConnectorDefinition[], bag: DiagnosticBag): ValidatedConnector | undefined {
  const names = connectors.map((c) => c.name);
  const connectorEntry = owner.entries.find((e) => e.key.value === 'connector');
  if (connectorEntry === undefined) {
    bag.report(Diagnostics.MissingConnector, owner.name.span, { role: owner.role, name: owner.name.name, accepted: names.join(', ') });
    return undefined;
  }
  const written = connectorEntry.value.value.trim().toLowerCase();
  const definition = connectors.find((c) => c.name === written || c.aliases?.includes(written) === true);
  if (definition === undefined) {
    bag.report(Diagnostics.UnknownConnector, connectorEntry.value.span, {
      role: owner.role,
      connector: connectorEntry.value.value,
      suggestion: didYouMean(closestMatch(connectorEntry.value.value, names)),
      accepted: names.join(', '),
    });
    return undefined;
  }
  const reader = new OptionReader(definition, owner, bag);
  for (const entry of owner.entries) {
    if (entry !== connectorEntry) reader.read(entry);
  }
  reader.fillDefaults(connectorEntry);
  reader.readMetadataColumns(owner.role);
  definition.check?.({ ...reader.context(), writtenAs: written });
  const options = Object.fromEntries(Object.entries(reader.options).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { connector: definition.name, options };
}

const COLUMN_OPTION = /^fields\.(.+)\.([^.]+)$/;

class OptionReader {
  readonly options: Record<string, string> = {};
  private readonly entries = new Map<string, OptionEntry>();
  private readonly byKey: ReadonlyMap<string, OptionDefinition>;

  constructor(
    private readonly definition: ConnectorDefinition,
    private readonly owner: OptionsOwner,
    private readonly bag: DiagnosticBag,
  ) {
    this.byKey = new Map(this.allOptions().flatMap((o) => [o.key, ...o.aliases].map((k) => [k, o] as const)));
  }

  read(entry: OptionEntry): void {
    const key = entry.key.value;
    const known = this.byKey.get(key);
    if (known !== undefined) {
      this.accept(entry, known.key, known.normalise(entry.value.value), known.accepted, known);
      return;
    }
    const match = COLUMN_OPTION.exec(key);
    const columnOption = match === null ? undefined : this.definition.columnOptions?.find((o) => o.suffix === match[2]);
    if (match !== null && columnOption !== undefined) {
      this.readColumnOption(entry, match[1]!, columnOption);
      return;
    }
    this.bag.report(Diagnostics.UnknownConnectorOption, entry.key.span, {
      connector: this.definition.name,
      key,
      suggestion: didYouMean(closestMatch(key, this.spellings())),
      accepted: this.documentedKeys().join(', '),
    });
  }

  /** The connector's own options, and for a source those every source takes (watermark alignment). */
  private allOptions(): readonly OptionDefinition[] {
    return this.owner.role === 'source' ? [...this.definition.options, ...commonSourceOptions] : this.definition.options;
  }

  fillDefaults(connectorEntry: OptionEntry): void {
    for (const option of this.allOptions()) {
      // A given option needs no default, even when its value was invalid (that has been reported).
      if (this.entries.has(option.key)) continue;
      if (option.required) {
        this.bag.report(Diagnostics.MissingConnectorOption, connectorEntry.span, {
          connector: this.definition.name,
          key: option.key,
          description: option.description,
        });
      } else if (option.default !== undefined) {
        this.options[option.key] = option.default;
      }
    }
  }

  /**
   * Checks the METADATA columns against the connector's metadata keys and records them for the runtime as the
   * derived option 'metadata' (a JSON object column → key), which no WITH clause can give.
   */
  readMetadataColumns(role: 'source' | 'sink'): void {
    const columns: Record<string, string> = {};
    const offered = this.definition.metadata ?? [];
    for (const def of this.owner.columnDefs) {
      if (def.metadata === undefined) continue;
      const column = def.name.name;
      const key = def.metadata.key?.value ?? column;
      const known = offered.find((m) => m.key === key);
      if (offered.length === 0) {
        this.bag.report(Diagnostics.MetadataNotOffered, def.metadata.span, { column, role, connector: this.definition.name });
      } else if (known === undefined) {
        this.bag.report(Diagnostics.UnknownMetadataKey, def.metadata.key?.span ?? def.metadata.span, {
          connector: this.definition.name,
          key,
          column,
          suggestion: didYouMean(closestMatch(key, offered.map((m) => m.key))),
          accepted: offered.map((m) => m.key).join(', '),
        });
      } else {
        const field = this.owner.columns.find((c) => c.name === column);
        if (field !== undefined && !sameType(field.type, known.type)) {
          this.bag.report(Diagnostics.MetadataColumnType, def.type.span, {
            column,
            key,
            expected: typeToString(known.type),
            actual: typeToString(field.type),
            from: def.metadata.key === undefined ? '' : ` FROM '${key}'`,
          });
        } else {
          columns[column] = key;
        }
      }
    }
    if (Object.keys(columns).length > 0) this.options['metadata'] = JSON.stringify(columns);
  }

  context(): Omit<ConnectorContext, 'writtenAs'> {
    return {
      name: this.owner.name,
      columns: this.owner.columns,
      columnDefs: this.owner.columnDefs,
      options: this.options,
      entry: (key) => this.entries.get(key),
      bag: this.bag,
    };
  }

  private readColumnOption(entry: OptionEntry, columnName: string, option: ColumnOptionDefinition): void {
    const column = this.owner.columns.find((c) => c.name === columnName);
    const columnNames = this.owner.columns.map((c) => c.name);
    if (column === undefined) {
      this.bag.report(Diagnostics.OptionForUndeclaredColumn, entry.key.span, {
        key: entry.key.value,
        column: columnName,
        source: this.owner.name.name,
        suggestion: didYouMean(closestMatch(columnName, columnNames)),
        columns: columnNames.join(', '),
      });
      return;
    }
    if (!option.appliesTo(column)) {
      this.bag.report(Diagnostics.FieldOptionNotApplicable, entry.key.span, {
        key: entry.key.value,
        column: column.name,
        type: typeToString(column.type),
        option: option.suffix,
        applies: option.applies,
      });
      return;
    }
    const type = option.typeFor(column);
    const value = type.parse(entry.value.value);
    this.accept(entry, entry.key.value, value === undefined ? undefined : type.canonical(value), type.accepted);
  }

  /** Records a read option; `canonical` undefined means its value was invalid. */
  private accept(entry: OptionEntry, key: string, canonical: string | undefined, accepted: string, option?: OptionDefinition): void {
    const first = this.entries.get(key);
    if (first !== undefined) {
      this.bag.report(Diagnostics.DuplicateConnectorOption, entry.key.span, { key }, [
        { message: `'${key}' is first given here`, file: this.bag.file, span: first.key.span },
      ]);
      return;
    }
    this.entries.set(key, entry);
    if (canonical === undefined) {
      this.bag.report(Diagnostics.InvalidConnectorOption, entry.value.span, { key, value: shownValue(option, entry.value.value), accepted });
    } else {
      this.options[key] = canonical;
    }
  }

  /** Keys as the README documents them: column options appear as `fields.<column>.<suffix>`. */
  private documentedKeys(): string[] {
    const columnKeys = (this.definition.columnOptions ?? []).map((o) => `fields.<column>.${o.suffix}`);
    const common = this.owner.role === 'source' ? commonSourceOptions.map((o) => o.key) : [];
    return ['connector', ...this.definition.options.map((o) => o.key), ...columnKeys, ...common];
  }

  /** Every key that would be accepted here, for "did you mean" hints. */
  private spellings(): string[] {
    const columnKeys = (this.definition.columnOptions ?? []).flatMap((o) =>
      this.owner.columns.map((c) => `fields.${c.name}.${o.suffix}`),
    );
    return [...this.byKey.keys(), ...columnKeys];
  }
}
