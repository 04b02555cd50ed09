// The demo project must work as soon as it is downloaded: its own tests are run here, for real,
// with the Node that runs this suite.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { demoProjectFiles, SUM_TRY_CODE } from './demoProject.ts';

const run = promisify(execFile);
let scratch: string | undefined;
afterEach(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('demoProjectFiles', () => {
  it('puts README, package.json, a page, two modules and a test under the folder', () => {
    expect(demoProjectFiles('web/calc').map((file) => file.path)).toEqual([
      'web/calc/README.md',
      'web/calc/package.json',
      'web/calc/index.html',
      'web/calc/src/main.js',
      'web/calc/src/sum.js',
      'web/calc/test/sum.test.js',
    ]);
  });

  it('names the package after the folder, as npm allows', () => {
    const pkg = demoProjectFiles('Apps/My_App').find((file) => file.path.endsWith('package.json'))!;
    expect(JSON.parse(pkg.content)).toMatchObject({ name: 'my_app', type: 'module', scripts: { test: 'node --test' } });
  });

  it('passes its own tests with node --test', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'switchboard-demo-'));
    for (const file of demoProjectFiles('demo-project')) {
      const target = join(scratch, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content);
    }
    const { stdout } = await run(process.execPath, ['--test'], { cwd: join(scratch, 'demo-project') });
    expect(stdout).toMatch(/# pass 3/);
    expect(stdout).toMatch(/# fail 0/);
  });

  it('suggests run_js code that prints the sum', () => {
    const logged: unknown[] = [];
    runInNewContext(SUM_TRY_CODE, { console: { log: (value: unknown) => logged.push(value) } });
    expect(logged).toEqual([6]);
  });
});
