import type { ColumnDef, OptionEntry } from '../../grammar/ast/statements.js';
import type { Identifier } from '../../grammar/ast/span.js';
import { Diagnostics } from '../diagnostics/catalogue.js';
import type { DiagnosticBag } from '../diagnostics/diagnostic.js';
import type { Field, SqlType } from '../types/sql-type.js';
import type { ValueType } from '../config/value-types.js';

/**
 * A connector's option table, as data: the README lists it and `validateOptions` enforces it. Options keep
 * Flink's names where Flink's connector has the same option.
 */
export interface ConnectorDefinition {
  readonly name: string;
  /** Other names the connector answers to, such as Flink's 'filesystem' for 'file'. */
  readonly aliases?: readonly string[];
  readonly description: string;
  readonly options: readonly OptionDefinition[];
  /** Options naming a column in their key, like datagen's `fields.<column>.<suffix>`. */
  readonly columnOptions?: readonly ColumnOptionDefinition[];
  /** What `METADATA [FROM 'key']` columns of a source may hold; none when absent. */
  readonly metadata?: readonly MetadataDefinition[];
  /** How the connector behaves beyond its options (input rules, faults it handles), one paragraph each, for the docs. */
  readonly notes?: readonly string[];
  /** Rules between options and columns, run once every option has been read and defaults filled. */
  readonly check?: (context: ConnectorContext) => void;
  /**
   * Sources: the options that say what the source reads, and so what its recorded positions are positions in (a
   * file's path and format, a Nexmark table). Restoring a savepoint into a source where one changed is refused;
   * every other option may change. None when absent.
   */
  readonly identityOptions?: readonly string[];
  /**
   * Sources that read a changelog (change data capture): their rows are inserts, updates and deletes of a table,
   * keyed by the source's PRIMARY KEY, which they therefore require. `normalize` says whether, with these
   * (normalised) options, the rows must be completed by keeping the last row per key after the source (Flink's
   * ChangelogNormalize): true when the source sends updates without before-images and deletes with only the key.
   */
  readonly changelog?: { readonly normalize: (options: Readonly<Record<string, string>>) => boolean };
  /**
   * Sources whose splits appear between runs (the files of a directory): the source declares the `known-splits`
   * union state, every split any subtask read, so that a restored source reads the splits that are new and only
   * those ("available now"). False when absent.
   */
  readonly newSplitsBetweenRuns?: boolean;
  /**
   * Sinks: whether, with these (normalised) options, the sink keeps output pending from a checkpoint's barrier to
   * its completion (two-phase commit), and so declares the `pending-commits` state. False when absent.
   */
  readonly twoPhaseCommit?: (options: Readonly<Record<string, string>>) => boolean;
  /**
   * Sinks: rules on what is written into the sink, known only once every INSERT into it is planned (its columns
   * when none are declared, whether the input is updating, its primary key). None when absent.
   */
  readonly checkInput?: (input: SinkInputContext) => void;
}

/** What a sink connector's `checkInput` sees. */
export interface SinkInputContext {
  readonly name: Identifier;
  readonly fields: readonly Field[];
  /** Whether any INSERT into the sink is an updating (changelog) stream. */
  readonly updating: boolean;
  /** The sink's `PRIMARY KEY (…) NOT ENFORCED` columns, if declared (and valid). */
  readonly primaryKey: readonly string[] | undefined;
  /** The columns an updating input is keyed by (a GROUP BY's), when the planner knows them. */
  readonly upsertKey: readonly string[] | undefined;
  readonly options: Readonly<Record<string, string>>;
  readonly bag: DiagnosticBag;
}

export interface OptionDefinition {
  readonly key: string;
  /** Other spellings (Flink's) that resolve to `key`. */
  readonly aliases: readonly string[];
  readonly accepted: string;
  /** The canonical text of a valid value, or undefined when `text` is not valid. */
  normalise(text: string): string | undefined;
  readonly required: boolean;
  /** Canonical value filled in when the option is absent. */
  readonly default?: string;
  /** The default for people, or how it is derived. */
  readonly defaultText: string;
  readonly description: string;
  /**
   * A credential (a password, a token): its value is never shown — not in diagnostics, errors, `sluice inspect`,
   * `--graph json` or checkpoint metadata (connectors/redact-secrets.ts).
   */
  readonly secret: boolean;
}

/** A metadata key of a connector's messages, such as jetstream's 'timestamp'. */
export interface MetadataDefinition {
  readonly key: string;
  readonly type: SqlType;
  readonly description: string;
}

/** `fields.<column>.<suffix>`: an option whose accepted values depend on the column's type. */
export interface ColumnOptionDefinition {
  readonly suffix: string;
  readonly description: string;
  /** Which columns it applies to, for people: "INT, BIGINT, DOUBLE and DECIMAL columns". */
  readonly applies: string;
  appliesTo(column: Field): boolean;
  typeFor(column: Field): ValueType<unknown>;
}

/** What a connector's `check` sees: the options after normalisation and where each came from. */
export interface ConnectorContext {
  /** The source or sink being validated. */
  readonly name: Identifier;
  readonly columns: readonly Field[];
  readonly columnDefs: readonly ColumnDef[];
  /** Canonical key → canonical value, defaults included; `check` may add derived options. */
  readonly options: Record<string, string>;
  /** The WITH entry an option came from (undefined for defaults). */
  entry(key: string): OptionEntry | undefined;
  readonly bag: DiagnosticBag;
  /** The connector's name as the WITH clause spells it (an alias, lower-cased), e.g. 'jdbc' for postgres. */
  readonly writtenAs: string;
}

interface OptionExtras<T> {
  readonly required?: true;
  readonly default?: T;
  readonly defaultText?: string;
  readonly aliases?: readonly string[];
  readonly secret?: true;
}

export function option<T>(key: string, type: ValueType<T>, description: string, extras: OptionExtras<T> = {}): OptionDefinition {
  const parsedDefault = extras.default;
  return {
    key,
    aliases: extras.aliases ?? [],
    accepted: type.accepted,
    normalise: (text) => {
      const value = type.parse(text);
      return value === undefined ? undefined : type.canonical(value);
    },
    required: extras.required === true,
    ...(parsedDefault === undefined ? {} : { default: type.canonical(parsedDefault) }),
    secret: extras.secret === true,
    defaultText:
      extras.defaultText ?? (extras.required === true ? 'required' : parsedDefault === undefined ? 'unset' : type.display(parsedDefault)),
    description,
  };
}

/** Warns when `key` was given although `otherKey` is not `neededValue`, the only case in which `key` matters. */
export function warnUnlessOptionIs(context: ConnectorContext, key: string, otherKey: string, neededValue: string): void {
  const entry = context.entry(key);
  const otherValue = context.options[otherKey];
  // An invalid value has been reported already; saying it is also ineffective would be noise.
  if (entry === undefined || !(key in context.options) || otherValue === undefined || otherValue === neededValue) return;
  context.bag.report(Diagnostics.IneffectiveConnectorOption, entry.key.span, { key, otherKey, otherValue, neededValue });
}
