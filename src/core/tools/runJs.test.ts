import { describe, expect, it } from 'vitest';
import { createQuickJsRunner } from './quickJsRunner.ts';
import { describeRun, RUN_JS_LIMITS, RUN_JS_MAX_CODE_CHARS } from './runJs.ts';
import type { JsRunner, JsRunResult } from './toolContract.ts';
import { contextWith, prepared, rejection, run } from './toolHarness.ts';
import { createToolSet } from './toolSet.ts';

/** A runner that answers with `result` and records what it was asked. */
function scriptedRunner(result: JsRunResult) {
  const calls: { code: string; limits: unknown }[] = [];
  const runner: JsRunner = {
    run: async (code, limits) => {
      calls.push({ code, limits });
      return result;
    },
  };
  return { runner, calls };
}

describe('run_js', () => {
  it('is an execute call whose detail is the code, run with the tool limits', async () => {
    const { runner, calls } = scriptedRunner({ console: 'hi', result: '42', truncated: false });
    const call = await prepared(contextWith({}, runner), 'run_js', { code: 'console.log("hi")\n42' });
    expect(call).toMatchObject({ access: 'execute', summary: 'run_js: 2 lines of JavaScript', detail: 'console.log("hi")\n42' });
    expect(calls).toEqual([]);
    expect(await call.run()).toEqual({ output: 'Console output:\nhi\nResult: 42', changes: [] });
    expect(calls).toEqual([{ code: 'console.log("hi")\n42', limits: RUN_JS_LIMITS }]);
  });

  it('refuses empty or oversized code before anyone approves it', async () => {
    const context = contextWith({});
    expect(await rejection(context, 'run_js', { code: '  \n' })).toBe('Error: run_js failed: argument "code" is empty');
    expect(await rejection(context, 'run_js', { code: 'x'.repeat(RUN_JS_MAX_CODE_CHARS + 1) })).toMatch(/has 100001 characters; at most 100000 are run$/);
  });

  it('describes console output, result, error and a cut console', () => {
    const limits = { ...RUN_JS_LIMITS, outputMaxChars: 5 };
    expect(describeRun({ console: '', result: 'undefined', truncated: false }, limits)).toBe('No console output.\nResult: undefined');
    expect(describeRun({ console: 'a\nb', error: 'Uncaught Error: x', truncated: false }, limits)).toBe('Console output:\na\nb\nError: Uncaught Error: x');
    expect(describeRun({ console: 'abcde', result: '1', truncated: true }, limits)).toBe('Console output:\nabcde\n[console output cut at 5 characters; later output was dropped]\nResult: 1');
  });

  it('runs in QuickJS end to end, under the tool set limits it is given', async () => {
    const context = contextWith({}, createQuickJsRunner());
    const roomy = createToolSet({ runJsLimits: { timeoutMs: 5_000, outputMaxChars: 30, memoryBytes: 16 * 1024 * 1024 } });
    expect((await run(context, 'run_js', { code: 'const xs = [3, 1, 2];\nconsole.log(xs.sort());\nxs.length' }, roomy)).output).toBe('Console output:\n[ 1, 2, 3 ]\nResult: 3');
    // A short time limit only where the test is about it: it asserts behaviour, not speed.
    const tools = createToolSet({ runJsLimits: { timeoutMs: 200, outputMaxChars: 30, memoryBytes: 16 * 1024 * 1024 } });
    expect((await run(context, 'run_js', { code: 'while (true) {}' }, tools)).output).toBe('No console output.\nError: timed out: the code ran longer than 200 ms and was stopped');
    expect((await run(context, 'run_js', { code: 'for (let i = 0; ; i++) console.log(i)' }, tools)).output).toMatch(/^Console output:\n0\n1\n[\s\S]{20,30}\n\[console output cut at 30 characters; later output was dropped\]\nError: timed out/);
  });
});
