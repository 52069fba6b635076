import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCompile } from '../../cli/commands/compile.js';
import { exitCodeFor } from '../../cli/exit-codes.js';
import { captureIO } from './capture-io.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtures = join(root, 'test', 'cli', 'fixtures');

async function compileCommand(file: string, functions?: string) {
  const io = captureIO(fixtures);
  const outcome = await runCompile(file, { set: [], color: false, quiet: false, ...(functions === undefined ? {} : { functions }) }, io);
  return { code: exitCodeFor(outcome), stdout: io.out(), stderr: io.err() };
}

describe('CREATE FUNCTION in the command line', () => {
  it('runs a file whose functions come from CREATE FUNCTION, with no --functions, resolving the module next to the file', () => {
    // The working directory is not the file's: the module path is relative to the .pipe file, the CSV's to the cwd.
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', 'main.ts'), 'run', 'spend.pipe'], {
      cwd: join(fixtures, 'created-functions'),
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', SLUICE_DEBUG: '' },
    });
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.status).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines.filter((l) => l.startsWith('TAXED>'))).toEqual(['TAXED> +I[acc-1, 12.6]', 'TAXED> +I[acc-2, 24]', 'TAXED> +I[acc-1, 1.5]']);
    expect(lines.filter((l) => l.startsWith('COUNT>'))).toEqual(['COUNT> +I[acc-1, 1]', 'COUNT> +I[acc-2, 1]', 'COUNT> +I[acc-1, 2]']);
  });

  it('compiles from another directory, and --functions still overrides a created definition', async () => {
    const plain = await compileCommand('created-functions/spend.pipe');
    expect(plain.stderr).toBe('');
    expect(plain.code).toBe(0);
    // functions.mjs has no with_tax: the created one stays; its running_total is added beside running_count.
    const overridden = await compileCommand('created-functions/spend.pipe', 'functions.mjs');
    expect(overridden.stderr).toBe('');
    expect(overridden.code).toBe(0);
  });

  it('points at the statement when a module is missing, lacks the function or defines it badly', async () => {
    const { code, stderr } = await compileCommand('created-functions/bad-modules.pipe');
    expect(code).toBe(2);
    expect(stderr).toContain(
      [
        "error[SLC9230]: cannot find the module 'udf/missing.mjs' of CREATE FUNCTION missing (looked for " +
          `${join(fixtures, 'created-functions', 'udf', 'missing.mjs')})`,
        ' --> created-functions/bad-modules.pipe:1:28',
        '  |',
        "1 | CREATE FUNCTION missing AS 'udf/missing.mjs';",
        '  |                            ^^^^^^^^^^^^^^^^^',
      ].join('\n'),
    );
    expect(stderr).toContain(
      [
        "error[SLC9233]: the module 'udf/fns.mjs' defines no function named 'absent'",
        ' --> created-functions/bad-modules.pipe:2:17',
        '  |',
        "2 | CREATE FUNCTION absent AS 'udf/fns.mjs';",
        '  |                 ^^^^^^',
        "  = help: it defines the scalar functions 'with_tax', 'upper', 'no_fn', 'bad_type' and the process functions 'running_count'; " +
          "CREATE FUNCTION names an entry of the module's `functions` (scalar UDFs) or `processes` (process functions) export",
      ].join('\n'),
    );
    expect(stderr).toContain(
      "error[SLC9234]: 'bad_type' in the module 'udf/fns.mjs' has an invalid definition: at functions[3].args[0]: expected a type " +
        '(BOOLEAN, INT, BIGINT, DOUBLE, DECIMAL(p, s) with 1 <= p <= 38 and s <= p, STRING or TIMESTAMP(3)), got "TEXT"\n --> created-functions/bad-modules.pipe:3:17',
    );
    expect(stderr).toContain("error[SLC9234]: 'no_fn' in the module 'udf/fns.mjs' has an invalid definition: at functions[2].fn: expected a function\n --> created-functions/bad-modules.pipe:4:17");
    expect(stderr).toContain('could not compile created-functions/bad-modules.pipe (4 errors)');
  });

  it('refuses a name of a built-in and a name created twice', async () => {
    const { code, stderr } = await compileCommand('created-functions/bad-names.pipe');
    expect(code).toBe(1);
    expect(stderr).toContain("error[SLC2040]: CREATE FUNCTION upper: 'upper' is a built-in function\n --> created-functions/bad-names.pipe:1:17");
    expect(stderr).toContain("error[SLC2041]: function 'with_tax' is created twice\n --> created-functions/bad-names.pipe:3:17");
    expect(stderr).toContain("note: 'with_tax' is first created here\n --> created-functions/bad-names.pipe:2:17");
  });
});
