import { parseDuration } from '../../compiler/config/durations.js';
import { parseMemorySize } from '../../compiler/config/memory-size.js';
import { isSecretOption, REDACTED, redactUrlPasswords } from '../../connectors/secrets.js';

/**
 * Typed access to a connector's normalised options. The compiler has validated them and filled in defaults
 * (compiler/connectors/*), so a bad value here means a hand-built or corrupted job graph: it throws an Error
 * naming the connector and option rather than producing a diagnostic.
 */
export class ConnectorOptions {
  constructor(
    readonly connector: string,
    private readonly options: Readonly<Record<string, string>>,
  ) {}

  has(name: string): boolean {
    return this.options[name] !== undefined;
  }

  string(name: string, fallback?: string): string {
    const value = this.options[name] ?? fallback;
    if (value === undefined) throw this.invalid(name, 'is required');
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback?: T): T {
    const value = this.string(name, fallback);
    if (!(allowed as readonly string[]).includes(value)) throw this.invalid(name, `must be one of ${allowed.join(', ')}, not '${this.shown(name, value)}'`);
    return value as T;
  }

  /** A non-negative integer (safe). */
  count(name: string, fallback?: number): number {
    return this.parsed(name, fallback, (t) => (/^\s*\d+\s*$/.test(t) && Number.isSafeInteger(Number(t)) ? Number(t) : undefined), 'a non-negative integer');
  }

  /** A finite number. */
  number(name: string, fallback?: number): number {
    return this.parsed(name, fallback, (t) => (t.trim() !== '' && Number.isFinite(Number(t)) ? Number(t) : undefined), 'a number');
  }

  boolean(name: string, fallback?: boolean): boolean {
    return this.parsed(name, fallback, (t) => (t === 'true' ? true : t === 'false' ? false : undefined), "'true' or 'false'");
  }

  durationMs(name: string, fallback?: number): number {
    return this.parsed(name, fallback, parseDuration, "a duration like '10 s'");
  }

  bytes(name: string, fallback?: number): number {
    return this.parsed(name, fallback, parseMemorySize, "a size like '128 mb'");
  }

  private parsed<T>(name: string, fallback: T | undefined, parse: (text: string) => T | undefined, what: string): T {
    const text = this.options[name];
    if (text === undefined) {
      if (fallback === undefined) throw this.invalid(name, 'is required');
      return fallback;
    }
    const value = parse(text);
    if (value === undefined) throw this.invalid(name, `must be ${what}, not '${this.shown(name, text)}'`);
    return value;
  }

  /** An option's value as an error may show it: credentials hidden (connectors/secrets.ts). */
  shown(name: string, text: string): string {
    return isSecretOption(this.connector, name) ? REDACTED : redactUrlPasswords(text);
  }

  private invalid(name: string, problem: string): Error {
    return new Error(`${this.connector} connector: option '${name}' ${problem}`);
  }
}
