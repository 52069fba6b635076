import type { DiagnosticDefinition } from '../diagnostic.js';

/** SLC9xxx: command-line usage and file I/O. The CLI exits with code 2 for these. */
export const usageDiagnostics = {
  FileNotFound: {
    code: 'SLC9001',
    severity: 'error',
    message: "cannot find '{path}'",
    help: 'check the spelling; a relative path is resolved against the current directory, {cwd}',
  },
  FileUnreadable: {
    code: 'SLC9002',
    severity: 'error',
    message: "cannot read '{path}': {reason}",
    help: 'check that the file exists and that you have permission to read it',
  },
  PathIsDirectory: {
    code: 'SLC9003',
    severity: 'error',
    message: "'{path}' is a directory, not a file",
    help: 'give the path of a .pipe file',
  },
  InvalidFlagValue: {
    code: 'SLC9004',
    severity: 'error',
    message: "invalid value '{value}' for {flag}",
    help: '{flag} accepts {accepted}',
  },
  MalformedSetFlag: {
    code: 'SLC9005',
    severity: 'error',
    message: "--set expects key=value, got '{text}'",
    help: "write it as --set 'key=value', e.g. --set 'execution.checkpointing.interval=10 s'",
  },
  ConflictingFlags: {
    code: 'SLC9006',
    severity: 'error',
    message: '{first} and {second} cannot be used together',
    help: 'use only one of them: {reason}',
  },
  WriteFailed: {
    code: 'SLC9007',
    severity: 'error',
    message: "cannot write '{path}': {reason}",
    help: 'check that the directory exists and that you have permission to write to it',
  },
  GraphNotJson: {
    code: 'SLC9008',
    severity: 'error',
    message: "'{path}' is not a JSON job graph: {reason}",
    help: 'give a file written by `sluice compile <file.pipe> --graph json`',
  },
  GraphFormatVersion: {
    code: 'SLC9009',
    severity: 'error',
    message: "'{path}' holds a job graph of format version {found}, but this version of Sluice reads version {expected}",
    help: 'compile the .pipe file again with this version: `sluice compile <file.pipe> --graph json`',
  },
  GraphInvalid: {
    code: 'SLC9010',
    severity: 'error',
    message: "'{path}' is not a valid job graph: at {where}: {problem}",
    help: 'write it again with `sluice compile <file.pipe> --graph json`; job graph files are not meant to be edited by hand',
  },
  FunctionsModuleLoadFailed: {
    code: 'SLC9011',
    severity: 'error',
    message: "cannot load the functions module '{path}': {reason}",
    help: 'give an ES module (.mjs, or .js in a package with "type": "module") that imports without errors',
  },
  FunctionsExportInvalid: {
    code: 'SLC9012',
    severity: 'error',
    message: "the functions module '{path}' has an invalid export: at {where}: {problem}",
    help: "export `functions` as an array of { name, args, returns, fn } and `processes` as an array of { name, args, output, state, ... }; types are written like 'BIGINT' or 'DECIMAL(10, 2)'",
  },
  FunctionsModuleEmpty: {
    code: 'SLC9013',
    severity: 'error',
    message: "the functions module '{path}' exports neither 'functions' nor 'processes'",
    help: 'add `export const functions = [...]` (scalar UDFs) or `export const processes = [...]` (process functions)',
  },
  DuplicateFunctionName: {
    code: 'SLC9014',
    severity: 'error',
    message: "the functions module '{path}' defines the {what} '{name}' more than once",
    help: 'give each function a unique name',
  },
  CheckWithoutEmit: {
    code: 'SLC9015',
    severity: 'error',
    message: '--check only applies to --emit flink-sql',
    help: 'run `sluice compile <file.pipe> --emit flink-sql --check`, or leave out --check',
  },
} as const satisfies Record<string, DiagnosticDefinition>;
