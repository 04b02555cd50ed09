// JsRunner on QuickJS compiled to WebAssembly (quickjs-emscripten). The sandbox is an interpreter
// in the thread that runs it: isolated by construction (it has no network, storage, DOM or timers,
// only the console this file gives it), and bounded: an interrupt handler for time, the wasm
// memory's maximum for memory, QuickJS's stack limit for recursion. It runs in a dedicated worker
// of a tab (sw/jsRunnerService.ts, asked by src/core/remoteJsRunner.ts), since Chromium offers the
// broker's SharedWorker no nested Worker; in the broker itself only when no tab can.
//
// Every run gets a fresh WebAssembly instance, not only a fresh runtime: instantiating costs tens
// of milliseconds, and in exchange a run that exhausted its memory gives that memory back (a wasm
// memory never shrinks), and a run that broke the instance (an abort, a leak assertion, the host
// stack overflowing under it) cannot affect the next one.
//
// The run is synchronous: while it lasts (up to the time limit) the thread it runs on waits (in
// the broker: every tab's stream; hence the tab's worker). The interrupt handler is polled by the
// interpreter loop, so one native call that runs long without calling back into JavaScript is not
// interrupted; the prelude refuses the known ones (array methods looping over huge sparse lengths,
// see quickJsPrelude.ts), the memory cap stops those that allocate as they go, and in a tab's
// worker the tab terminates the worker (src/app/jsRunnerHost.ts).

import type { QuickJSContext, QuickJSHandle, QuickJSRuntime, QuickJSWASMModule } from 'quickjs-emscripten-core';
import { SANDBOX_PRELUDE } from './quickJsPrelude.ts';
import type { JsRunLimits, JsRunner, JsRunResult } from './toolContract.ts';
import { errorText } from './toolOutput.ts';

/** QuickJS's own stack limit, which makes deep recursion a catchable InternalError "stack
 *  overflow". Each interpreted frame also takes native stack on the host thread, and Chromium's
 *  SharedWorker has little of it: measured there, simple recursion overflowed the host at 160 KiB
 *  and held at 128 KiB (about 740 frames); 96 KiB (about 550 frames) leaves room for frames that
 *  cost more native stack. What still overflows the host (JSON.parse of very deeply nested text)
 *  is reported as a stack overflow too; the instance is discarded after every run anyway. */
export const QUICKJS_MAX_STACK_BYTES = 96 * 1024;
/** Time allowed after the code finished to turn its result or error into text (inside the
 *  sandbox, so it is interruptible too). */
const REPORT_GRACE_MS = 250;
/** Memory set aside before the code runs and given back to report its end: code stopped at the
 *  memory cap still holds everything it allocated, and the report must not fail for want of a
 *  few kilobytes. It is added to the cap, so the code itself still gets its full limit. */
const REPORT_RESERVE_BYTES = 1024 * 1024;
/** Promise jobs run between two looks at the clock; each job is interruptible too, this bounds
 *  chains of tiny jobs that the interrupt counter might not see. */
const JOBS_PER_BATCH = 1000;
/** What the model reads when the host's stack, not QuickJS's limit, stopped the code. */
const HOST_STACK_OVERFLOW = 'stack overflow: the code nested too deeply for the sandbox (deep recursion, or JSON.parse / JSON.stringify of deeply nested data) and was stopped';
/** The name stack traces give the model's code. */
const SCRIPT_NAME = 'code.js';

/** Memory a fresh instance starts with: its data, its C stack and QuickJS's own runtime (the
 *  build's INITIAL_MEMORY). The sandboxed code's memory comes on top. */
const WASM_BASE_BYTES = 16 * 1024 * 1024;
const WASM_PAGE_BYTES = 64 * 1024;

/** Loads one new QuickJS instance whose whole wasm memory can never grow past `maxBytes`. */
export type QuickJsLoader = (options: { maxBytes: number }) => Promise<QuickJSWASMModule>;

/** The single-file browser build carries its wasm inside the JavaScript module, so the worker
 *  bundle needs no separate .wasm asset (and the service worker precaches it with the rest).
 *  Both imports are dynamic: the ~700 kB module is fetched on the first run_js, not at broker
 *  start; later loads reuse the evaluated modules and only instantiate the wasm again.
 *
 *  The memory cap is the wasm memory's own maximum, not only QuickJS's malloc limit: this build
 *  cannot measure its allocations (no malloc_usable_size), so QuickJS's limit only refuses single
 *  allocations larger than itself and never adds them up. A wasm memory that cannot grow makes
 *  malloc fail, which QuickJS reports as "out of memory", whatever allocates (ArrayBuffers too). */
export const loadQuickJs: QuickJsLoader = async ({ maxBytes }) => {
  const [{ newQuickJSWASMModuleFromVariant, newVariant }, { default: variant }] = await Promise.all([
    import('quickjs-emscripten-core'),
    import('@jitl/quickjs-singlefile-browser-release-sync'),
  ]);
  const wasmMemory = new WebAssembly.Memory({ initial: WASM_BASE_BYTES / WASM_PAGE_BYTES, maximum: Math.ceil(maxBytes / WASM_PAGE_BYTES) });
  return newQuickJSWASMModuleFromVariant(newVariant(variant, { wasmMemory }));
};

export interface QuickJsRunnerOptions {
  load?: QuickJsLoader;
  /** QuickJS's stack limit; QUICKJS_MAX_STACK_BYTES unless a test measures another. */
  maxStackBytes?: number;
}

export function createQuickJsRunner({ load = loadQuickJs, maxStackBytes = QUICKJS_MAX_STACK_BYTES }: QuickJsRunnerOptions = {}): JsRunner {
  return {
    async run(code, limits) {
      let module: QuickJSWASMModule;
      try {
        module = await load({ maxBytes: wasmMaxBytes(limits) });
      } catch (error) {
        return { console: '', error: `the JavaScript sandbox could not be started: ${errorText(error)}`, truncated: false };
      }
      return runOnce(module, code, limits, maxStackBytes);
    },
  };
}


/** The cap on the whole instance: its own base, the code's limit and the report's reserve. */
const wasmMaxBytes = (limits: JsRunLimits) => WASM_BASE_BYTES + limits.memoryBytes + REPORT_RESERVE_BYTES;

/** console.log/info/warn/error lines, kept up to `max` characters. */
function createConsoleCollector(max: number) {
  let text = '';
  let truncated = false;
  return {
    /** Returns whether later output is still kept. */
    append(level: string, message: string): boolean {
      if (truncated) return false;
      const entry = `${text === '' ? '' : '\n'}${level === 'log' ? '' : `[${level}] `}${message}`;
      if (text.length + entry.length <= max) {
        text += entry;
        return true;
      }
      let end = max - text.length;
      const code = entry.charCodeAt(end - 1);
      if (code >= 0xd800 && code <= 0xdbff) end--; // never half a surrogate pair
      text += entry.slice(0, end);
      truncated = true;
      return false;
    },
    result(): Pick<JsRunResult, 'console' | 'truncated'> {
      return { console: text, truncated };
    },
  };
}

/** What evaluation ended with; handles belong to the run's handle list. */
type Outcome = { kind: 'value'; value: QuickJSHandle } | { kind: 'error'; error: QuickJSHandle } | { kind: 'never-settled' };

function runOnce(module: QuickJSWASMModule, code: string, limits: JsRunLimits, maxStackBytes: number): JsRunResult {
  const output = createConsoleCollector(limits.outputMaxChars);
  /** Setup (the prelude, our own bounded code) is never interrupted; the time limit starts with
   *  the model's code, so a slow start on a busy machine is not charged to it. */
  const clock = { deadline: Infinity, phase: 'setup' as 'setup' | 'code' | 'report', timedOut: false };
  /** Every handle this run owns, disposed newest first whatever happens. */
  const handles: QuickJSHandle[] = [];
  const own = (handle: QuickJSHandle) => {
    handles.push(handle);
    return handle;
  };
  let runtime: QuickJSRuntime | undefined;
  let context: QuickJSContext | undefined;
  /** Set when the host side failed mid-call: QuickJS's state is then inconsistent, and freeing
   *  it would only trip its leak assertion; the instance is dropped whole instead. */
  let broken = false;
  try {
    runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes); // refuses single huge allocations early; see loadQuickJs
    runtime.setMaxStackSize(maxStackBytes);
    runtime.setInterruptHandler(() => {
      if (Date.now() < clock.deadline) return false;
      if (clock.phase === 'code') clock.timedOut = true;
      return true;
    });
    const ctx = (context = runtime.newContext());
    const reserve = own(ctx.newArrayBuffer(new ArrayBuffer(REPORT_RESERVE_BYTES)));
    const format = installSandbox(ctx, output.append, limits.outputMaxChars, own);
    clock.phase = 'code';
    clock.deadline = Date.now() + limits.timeoutMs;
    const outcome = evaluate(ctx, runtime, chooseSource(ctx, code), clock, own);

    // Reporting: a little more time and memory, so the report itself does not fail.
    clock.phase = 'report';
    clock.deadline = Date.now() + REPORT_GRACE_MS;
    reserve.dispose();
    const describe = (handle: QuickJSHandle, asError: boolean) => callFormat(ctx, format, handle, asError);
    // With the memory truly full, QuickJS cannot even allocate its "out of memory" error and
    // throws null instead; a full memory tells that apart from code that throws null itself.
    const memoryFull = module.getWasmMemory().buffer.byteLength > wasmMaxBytes(limits) - 2 * REPORT_RESERVE_BYTES;
    return { ...output.result(), ...report(outcome, clock.timedOut, limits, describe, (handle) => isOutOfMemory(ctx, handle, memoryFull)) };
  } catch (error) {
    // The host side failed: its own stack overflowed under the interpreter, or the instance aborted.
    broken = true;
    if (error instanceof RangeError && /call stack/i.test(error.message)) return { ...output.result(), error: HOST_STACK_OVERFLOW };
    return { ...output.result(), error: `the JavaScript sandbox failed: ${errorText(error)}` };
  } finally {
    if (!broken) release(handles, context, runtime);
  }
}

/** Frees what a run allocated, newest first. */
function release(handles: QuickJSHandle[], context: QuickJSContext | undefined, runtime: QuickJSRuntime | undefined): void {
  for (const handle of handles.reverse()) {
    try {
      if (handle.alive) handle.dispose();
    } catch {
      // An aborted instance cannot free anything; it is dropped with this run anyway.
    }
  }
  try {
    context?.dispose();
    runtime?.dispose();
  } catch {
    // Same: a leak assertion or an aborted instance; the next run gets a fresh one.
  }
}

/** The result or the error of a finished run, as text. */
function report(
  outcome: Outcome,
  timedOut: boolean,
  limits: JsRunLimits,
  describe: (handle: QuickJSHandle, asError: boolean) => string | null,
  outOfMemory: (handle: QuickJSHandle) => boolean,
): Pick<JsRunResult, 'result' | 'error'> {
  if (timedOut) return { error: `timed out: the code ran longer than ${limits.timeoutMs} ms and was stopped` };
  switch (outcome.kind) {
    case 'value':
      return { result: describe(outcome.value, false) ?? '[the result could not be shown]' };
    case 'never-settled':
      return { error: 'the promise the code returned never settled: nothing here can settle it later (run_js has no timers, network or I/O)' };
    case 'error':
      if (outOfMemory(outcome.error)) return { error: `memory limit exceeded: the code used more than ${formatBytes(limits.memoryBytes)} and was stopped` };
      return { error: describe(outcome.error, true) ?? 'Uncaught an error that could not be shown' };
  }
}

/** Runs the prelude: defines `console` (writing through `append`) and returns the formatter. */
function installSandbox(context: QuickJSContext, append: (level: string, text: string) => boolean, outputMaxChars: number, own: (h: QuickJSHandle) => QuickJSHandle): QuickJSHandle {
  const install = own(context.unwrapResult(context.evalCode(SANDBOX_PRELUDE, 'sandbox-prelude.js')));
  const emit = own(
    context.newFunction('emit', (level, text) => (append(context.getString(level), context.getString(text)) ? context.true : context.false)),
  );
  // One character past the cap, so the collector sees that the output was cut.
  const limit = own(context.newNumber(outputMaxChars + 1));
  return own(context.unwrapResult(context.callFunction(install, context.undefined, emit, limit)));
}

/** The code as a script, whose completion value is the result; or, when it only parses as the
 *  body of an async function (top-level `await` or `return`), wrapped in one, on the same first
 *  line so that line numbers in errors stay right. */
function chooseSource(context: QuickJSContext, code: string): string {
  const compiles = (source: string) => {
    const result = context.evalCode(source, SCRIPT_NAME, { compileOnly: true });
    const ok = result.error === undefined;
    (result.error ?? result.value).dispose();
    return ok;
  };
  if (compiles(code)) return code;
  const withResult = returningLastExpression(code, compiles);
  if (withResult !== null) return withResult;
  // When neither form parses, the error worth showing is the one of the form the code was meant in.
  if (compiles(asyncBody(code)) || /\b(await|return)\b/.test(code)) return asyncBody(code);
  return code;
}

const asyncBody = (body: string) => `(async () => {${body}\n})()`;

/** A line starting with one of these may continue the expression on the line before it. */
const CONTINUATION_START = /^[([`+\-*/%,.?:=<>&|^]/;

/** An async body has no completion value, so code ending in `await load(); data.length` would
 *  report undefined. When the last statement is an expression on its own (after the last line
 *  break, or after the last ";" of the last line), it becomes `return (expression)`. Each piece
 *  must compile on its own, so a last line that only continues a longer statement is left alone. */
function returningLastExpression(code: string, compiles: (source: string) => boolean): string | null {
  const trimmed = code.trimEnd().replace(/;$/, '');
  const lineBreak = trimmed.lastIndexOf('\n');
  const splits = [lineBreak + 1];
  const semicolon = trimmed.lastIndexOf(';');
  if (semicolon > lineBreak) splits.push(semicolon + 1);
  for (const at of splits) {
    const rest = trimmed.slice(0, at);
    const last = trimmed.slice(at).trim();
    if (last === '' || (CONTINUATION_START.test(last) && !rest.trimEnd().endsWith(';'))) continue;
    if (!compiles(asyncBody(rest))) continue;
    // No line break before `return`: after a ";" split, the rest may end inside a // comment.
    const source = `(async () => {${rest}return (${last}\n);\n})()`;
    if (compiles(source)) return source;
  }
  return null;
}

function evaluate(context: QuickJSContext, runtime: QuickJSRuntime, source: string, clock: { deadline: number; timedOut: boolean }, own: (h: QuickJSHandle) => QuickJSHandle): Outcome {
  const result = context.evalCode(source, SCRIPT_NAME);
  if (result.error) return { kind: 'error', error: own(result.error) };
  const value = own(result.value);
  // Run promise jobs even for a plain value: code may log from a .then() before it ends.
  while (runtime.hasPendingJob()) {
    if (Date.now() >= clock.deadline) {
      clock.timedOut = true;
      return { kind: 'never-settled' };
    }
    const jobs = runtime.executePendingJobs(JOBS_PER_BATCH);
    if (jobs.error) return { kind: 'error', error: own(jobs.error) };
  }
  const state = context.getPromiseState(value);
  switch (state.type) {
    case 'fulfilled':
      return { kind: 'value', value: state.notAPromise ? value : own(state.value) };
    case 'rejected':
      return { kind: 'error', error: own(state.error) };
    case 'pending':
      return { kind: 'never-settled' };
  }
}

/** The formatter's text for a value, or null when formatting failed (it ran out of time). */
function callFormat(context: QuickJSContext, format: QuickJSHandle, value: QuickJSHandle, asError: boolean): string | null {
  const result = context.callFunction(format, context.undefined, value, asError ? context.true : context.false);
  if (result.error) {
    result.error.dispose();
    return null;
  }
  try {
    return context.getString(result.value);
  } finally {
    result.value.dispose();
  }
}

/** QuickJS reports an exceeded memory limit as InternalError "out of memory" (or as null, when
 *  the memory is so full that not even that error could be made). */
function isOutOfMemory(context: QuickJSContext, error: QuickJSHandle, memoryFull: boolean): boolean {
  try {
    if (context.typeof(error) !== 'object') return false;
    if (context.sameValue(error, context.null)) return memoryFull;
    const message = context.getProp(error, 'message');
    try {
      return context.typeof(message) === 'string' && context.getString(message) === 'out of memory';
    } finally {
      message.dispose();
    }
  } catch {
    return false;
  }
}

function formatBytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / 1024 / 1024} MiB` : `${bytes} bytes`;
}
