// run_js: runs JavaScript the model writes, in the JsRunner's sandbox (QuickJS in wasm, see
// quickJsRunner.ts): for computing, checking and transforming data, not for touching the
// workspace, the network or the page. It needs approval like a write: the code is what the
// person approves.

import { plural } from './toolOutput.ts';
import { refuseUnknownArguments, requiredString, ToolArgumentError } from './toolArguments.ts';
import type { JsRunLimits, JsRunResult } from './toolContract.ts';
import { ready, type Tool } from './toolModule.ts';

/** run_js's limits (the contract's JsRunLimits), under the name its callers know. */
export type RunJsLimits = JsRunLimits;

/** Enough for real computation, short enough that the model hears back about a runaway loop
 *  soon. The code runs in a tab's worker (src/core/remoteJsRunner.ts), which is terminated when
 *  it overruns; only with no tab open does it share the broker's thread. */
export const RUN_JS_TIMEOUT_MS = 5_000;
/** Enough for sizeable data work; small enough to be harmless in the worker, whose wasm memory
 *  is released after each run (quickJsRunner.ts). */
export const RUN_JS_MEMORY_BYTES = 64 * 1024 * 1024;
/** Console output kept: half the tool output cap, leaving room for the result and the error. */
export const RUN_JS_OUTPUT_MAX_CHARS = 16_000;
/** Longest code accepted: a larger program belongs in a file, and the person must read it. */
export const RUN_JS_MAX_CODE_CHARS = 100_000;

export const RUN_JS_LIMITS: RunJsLimits = { timeoutMs: RUN_JS_TIMEOUT_MS, outputMaxChars: RUN_JS_OUTPUT_MAX_CHARS, memoryBytes: RUN_JS_MEMORY_BYTES };

export function createRunJsTool(limits: RunJsLimits = RUN_JS_LIMITS): Tool {
  return {
    definition: {
      type: 'function',
      name: 'run_js',
      description:
        'Run JavaScript (ES2023) in an isolated sandbox and get its console output and result. Use it to compute, parse, transform or check data. ' +
        'The sandbox has only the language and console.log/info/warn/error: no files, network, timers, DOM, modules or Node APIs, and nothing persists between calls. ' +
        'The result is the value of the last expression statement. Top-level await is allowed; then the code runs as an async function body and `return value` sets the result. ' +
        `Limits: ${limits.timeoutMs / 1000} s, ${limits.memoryBytes / 1024 / 1024} MiB of memory, ${limits.outputMaxChars} characters of console output.`,
      parameters: {
        type: 'object',
        properties: { code: { type: 'string', description: 'The JavaScript source to run.' } },
        required: ['code'],
        additionalProperties: false,
      },
    },

    async prepare(args, { jsRunner }) {
      refuseUnknownArguments(args, ['code']);
      const code = requiredString(args, 'code');
      if (code.trim() === '') throw new ToolArgumentError('argument "code" is empty');
      if (code.length > RUN_JS_MAX_CODE_CHARS) throw new ToolArgumentError(`argument "code" has ${code.length} characters; at most ${RUN_JS_MAX_CODE_CHARS} are run`);
      const lines = code.split('\n').length;
      return ready({
        access: 'execute',
        summary: `run_js: ${plural(lines, 'line')} of JavaScript`,
        detail: code,
        run: async () => ({ output: describeRun(await jsRunner.run(code, limits), limits), changes: [] }),
      });
    },
  };
}

/** The run as the model reads it: console output, then the result or the error. */
export function describeRun(run: JsRunResult, limits: RunJsLimits): string {
  const parts: string[] = [];
  if (run.console !== '') {
    parts.push(`Console output:\n${run.console}`);
    if (run.truncated) parts.push(`[console output cut at ${limits.outputMaxChars} characters; later output was dropped]`);
  } else {
    parts.push('No console output.');
  }
  if (run.error !== undefined) parts.push(`Error: ${run.error}`);
  else parts.push(`Result: ${run.result ?? 'undefined'}`);
  return parts.join('\n');
}
