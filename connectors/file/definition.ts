import { booleanType, characterType, durationType, enumType, memorySizeType, pathType } from '../../compiler/config/value-types.js';
import { Diagnostics } from '../../compiler/diagnostics/catalogue.js';
import { option, warnUnlessOptionIs, type ConnectorContext, type ConnectorDefinition } from '../../compiler/connectors/connector-definition.js';

/** Flink's 'json' format is newline-delimited JSON, so it is accepted for 'jsonl'. */
const formatType = enumType(['jsonl', 'csv'], { json: 'jsonl', ndjson: 'jsonl' });

const csvOptions = [
  option('csv.field-delimiter', characterType, 'Field separator of csv rows.', { default: ',' }),
  option('csv.header', booleanType, 'Whether the first line of each csv file names the columns (read: columns are matched by name; write: a header line is written).', {
    default: true,
  }),
];

/** Extensions that imply a format when 'format' is absent. */
const FORMAT_OF_EXTENSION: ReadonlyMap<string, string> = new Map([
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.csv', 'csv'],
]);

export const fileSource: ConnectorDefinition = {
  name: 'file',
  aliases: ['filesystem'],
  description: 'Reads JSON lines or csv from a file, or from every file of a directory (each file is one split). Its position is (file, byte offset).',
  newSplitsBetweenRuns: true,
  options: [
    option('path', pathType, 'A file, or a directory whose files are read.', { required: true }),
    option('format', formatType, "Row format; 'json' is accepted for 'jsonl'.", {
      defaultText: "from the path's extension (.jsonl, .ndjson, .csv); required otherwise",
    }),
    option('mode', enumType(['bounded', 'continuous']), "'bounded' reads what exists and ends; 'continuous' keeps watching for new lines and new files.", {
      default: 'bounded',
    }),
    option('format.ignore-parse-errors', booleanType, 'Skip and count rows that cannot be parsed instead of failing the job.', {
      default: false,
      aliases: ['json.ignore-parse-errors', 'csv.ignore-parse-errors'],
    }),
    option('source.monitor-interval', durationType(1), "How often a 'continuous' source looks for new data.", { default: 1_000 }),
    ...csvOptions,
  ],
  notes: [
    'Input is UTF-8 text. A UTF-8 byte order mark at the start of a file is skipped. A row holding bytes that are not ' +
      'valid UTF-8 is a parse error naming the file, line and byte offset (never silently replaced by U+FFFD). Empty ' +
      'lines are skipped; in jsonl so are lines of only whitespace (in csv, whitespace is data).',
    'csv: with a header row, the header must name every column of the schema (in any order; other columns are ' +
      'ignored), else the file fails to be read, even with parse errors ignored. A row must have exactly as many ' +
      'fields as the header (or, without a header, the schema): too few is an error like too many, as NULL is ' +
      'written as an empty field.',
    "Values are checked where they are read, naming file, line and field: TIMESTAMP values must lie within ±8.64e15 " +
      "epoch milliseconds (years -271821 to 275760); a number beyond a double's range (`1e400`) is out of range for " +
      "every numeric type. With 'format.ignore-parse-errors', each such row is skipped and counted instead.",
    "Log rotation ('continuous'): a file is known by its identity (device and inode), recorded with its position in " +
      'checkpoints. A file that is found shorter than what was read from it was truncated in place (copytruncate): it ' +
      'is read again from its start. When the path names another file (rename rotation), the old file is read to its ' +
      'end (what the writer added before it switched), then the new one from its start. Both print a warning ' +
      '(`warning: <source uid>: …` on standard error, the `warning` event of the Node API), also when found on restore. ' +
      'Not detected: a file truncated and rewritten past the point already read within one monitor interval. A rotated ' +
      'file renamed inside a watched directory to a visible name is a new file there and is read again, with a warning ' +
      "when the job saw both names (same identity): rotate to a name starting with '.' or '_', or to another directory.",
    "Removed files: a file removed after it was read to its end is simply done, also when a restored job finds it " +
      'gone; its incomplete last line, if any, becomes its last row. A file removed with bytes never read is done with ' +
      "a warning naming them. A continuous source keeps watching the path and reads a file that appears there later " +
      'from its start.',
    "Restored ('available now'): a file source restored with `--resume` or `--from` first lists its path again and " +
      'reads every file it has not read yet — each by the subtask its path hashes to — besides going on with the files ' +
      "it was reading; a 'bounded' one then finishes. So `sluice run job.pipe --resume` from cron processes each new " +
      'file exactly once, with the state of the job carried over (Spark\'s `Trigger.AvailableNow`); the run summary ' +
      'says how many new files it found. The files read so far are kept in the union state `known-splits` (path, ' +
      'identity and position), so this holds after a rescale and when switching between bounded and continuous. Files ' +
      'are known by path and taken as immutable once read to their end, as Spark does: rows appended later to a ' +
      "finished file, or a new file under the same name, are not read (follow appends with 'continuous'). A snapshot " +
      'written before Sluice kept this record restores as before, reading no new file, with a warning; its next ' +
      'checkpoint starts the record.',
  ],
  check: (context) => {
    inferFormat(context);
    warnUnlessOptionIs(context, 'source.monitor-interval', 'mode', 'continuous');
    warnAboutCsvOptions(context);
  },
  identityOptions: ['path', 'format'],
};

export const fileSink: ConnectorDefinition = {
  name: 'file',
  aliases: ['filesystem'],
  description: 'Writes rolling part files into a directory; with exactly-once semantics, part files are committed on checkpoint completion.',
  options: [
    option('path', pathType, 'The directory part files are written into.', { required: true }),
    option('format', formatType, "Row format; 'json' is accepted for 'jsonl'.", { default: 'jsonl' }),
    option(
      'sink.semantic',
      enumType(['exactly-once', 'at-least-once'], { exactly_once: 'exactly-once', at_least_once: 'at-least-once' }),
      "'exactly-once' commits part files when a checkpoint completes (two-phase commit); 'at-least-once' writes them directly.",
      { default: 'exactly-once' },
    ),
    option('sink.rolling-policy.file-size', memorySizeType, 'A part file is closed when it reaches this size.', { default: 128 * 1024 * 1024 }),
    option('sink.rolling-policy.rollover-interval', durationType(1), 'A part file is closed when it has been open this long.', {
      default: 30 * 60_000,
    }),
    ...csvOptions,
  ],
  check: warnAboutCsvOptions,
  twoPhaseCommit: (options) => (options['sink.semantic'] ?? 'exactly-once') === 'exactly-once',
};

function inferFormat(context: ConnectorContext): void {
  const path = context.options['path'];
  if (context.entry('format') !== undefined || path === undefined) return;
  const extension = /\.[^./\\]+$/.exec(path)?.[0].toLowerCase();
  const format = extension === undefined ? undefined : FORMAT_OF_EXTENSION.get(extension);
  if (format !== undefined) {
    context.options['format'] = format;
  } else {
    context.bag.report(Diagnostics.FileFormatNotImplied, context.entry('path')!.value.span, { path });
  }
}

function warnAboutCsvOptions(context: ConnectorContext): void {
  for (const { key } of csvOptions) warnUnlessOptionIs(context, key, 'format', 'csv');
}
