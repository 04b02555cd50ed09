import { describe, expect, it } from 'vitest';
import { ARRAY_GUARD_MAX_LENGTH, INSPECT_MAX_ITEMS } from './quickJsPrelude.ts';
import { createQuickJsRunner } from './quickJsRunner.ts';

const runner = createQuickJsRunner();
/** Small limits where a test is about them (they assert behaviour, not speed); a roomy time
 *  limit elsewhere, so a busy machine cannot turn a 1 ms run into a timeout. */
const limits = { timeoutMs: 5_000, outputMaxChars: 2_000, memoryBytes: 16 * 1024 * 1024 };
const SHORT_TIMEOUT = { timeoutMs: 200 };
const js = (code: string, overrides: Partial<typeof limits> = {}) => runner.run(code, { ...limits, ...overrides });

describe('quickJsRunner: results', () => {
  it('reports the completion value, strings as they are and other values JSON-ish', async () => {
    expect(await js('1 + 2')).toEqual({ console: '', result: '3', truncated: false });
    expect((await js('"plain text"')).result).toBe('plain text');
    expect((await js('let x; x')).result).toBe('undefined');
    expect((await js('({ a: 1, "b-c": [1, "two", null], n: -0, big: 10n, f() {}, C: class Point {}, s: Symbol("k") })')).result).toBe(
      '{ a: 1, "b-c": [ 1, "two", null ], n: -0, big: 10n, f: [Function: f], C: [class Point], s: Symbol(k) }',
    );
    expect((await js('[new Map([["k", { v: 1 }]]), new Set([1]), new Date(0), /x+/g, new Uint8Array([1, 2]), new Error("inner")]')).result).toBe(
      '[ Map(1) { "k" => { v: 1 } }, Set(1) { 1 }, 1970-01-01T00:00:00.000Z, /x+/g, Uint8Array(2) [ 1, 2 ], [Error: inner] ]',
    );
  });

  it('shows circular, deep, long and sparse values in bounded form', async () => {
    expect((await js('const o = { name: "o" }; o.self = o; o')).result).toBe('{ name: "o", self: [Circular] }');
    expect((await js('({ a: { b: { c: { d: { e: { f: 1 } } } } } })')).result).toBe('{ a: { b: { c: { d: [Object] } } } }');
    expect((await js('Array.from({ length: 150 }, (_, i) => i)')).result).toMatch(new RegExp(`, ${INSPECT_MAX_ITEMS - 1}, \\.\\.\\. 50 more items \\]$`));
    expect((await js('[1, , , 4]')).result).toBe('[ 1, <2 empty items>, 4 ]');
    expect((await js('Object.create(null)')).result).toBe('[Object: null prototype] {}');
    expect((await js('({ get x() { throw new Error("no") } })')).result).toBe('{ x: [Getter] }');
  });

  it('caps a huge result at the output limit', async () => {
    const result = (await js('"x".repeat(100000)', { outputMaxChars: 50 })).result!;
    expect(result).toBe(`${'x'.repeat(51)}…`);
  });

  it('formats values even after the code replaced the builtins the formatter uses', async () => {
    const run = await js('Object.keys = () => { throw 1 }; Array.prototype.join = null; JSON.stringify = null; console.log({ a: "q" }); [1, 2]');
    expect(run).toEqual({ console: '{ a: "q" }', result: '[ 1, 2 ]', truncated: false });
  });
});

describe('quickJsRunner: console', () => {
  it('captures console.log/info/warn/error in order, prefixing the level when not log', async () => {
    const run = await js('console.log("a", 1, { b: [2] }); console.info("i"); console.warn("w"); console.error("e"); console.log("%s=%d%%, %o", "x", 42.5, { y: 1 })');
    expect(run.console).toBe('a 1 { b: [ 2 ] }\n[info] i\n[warn] w\n[error] e\nx=42.5%, { y: 1 }');
    expect(run.result).toBe('undefined');
  });

  it('cuts console output at the limit and says so', async () => {
    const run = await js('for (let i = 0; i < 10000; i++) console.log("line " + i)', { outputMaxChars: 100 });
    expect(run.truncated).toBe(true);
    expect(run.console).toHaveLength(100);
    expect(run.console.startsWith('line 0\nline 1\n')).toBe(true);
    expect(run.result).toBe('undefined');
  });

  it('keeps logs made from promise jobs after the code ended', async () => {
    expect(await js('Promise.resolve().then(() => console.log("later")); "now"')).toEqual({ console: 'later', result: 'now', truncated: false });
  });
});

describe('quickJsRunner: errors', () => {
  it('reports a thrown error with its message and stack', async () => {
    const run = await js('function check(v) {\n  throw new TypeError("bad value " + v)\n}\nconsole.log("before");\ncheck(7)');
    expect(run.console).toBe('before');
    expect(run.result).toBeUndefined();
    expect(run.error).toBe('Uncaught TypeError: bad value 7\n    at check (code.js:2:22)\n    at <eval> (code.js:5:6)');
  });

  it('reports thrown non-errors and syntax errors with their position', async () => {
    expect((await js('throw { code: 42 }')).error).toBe('Uncaught { code: 42 }');
    expect((await js('throw null')).error).toBe('Uncaught null');
    expect((await js('const a = 1;\nconst b = ;')).error).toBe("Uncaught SyntaxError: unexpected token in expression: ';'\n    at code.js:2:11");
  });

  it('reports a stack overflow as an error, with the frames cut', async () => {
    const error = (await js('function down(n) { return down(n + 1) + 1 }\ndown(0)')).error!;
    expect(error).toMatch(/^Uncaught InternalError: stack overflow\n( {4}at down \(code\.js:1:\d+\)\n){10} {4}\.\.\. \d+ more frames$/);
  });
});

describe('quickJsRunner: host stack', () => {
  it('reports an overflow of the host thread\'s own stack as a stack overflow, keeping the console', async () => {
    // A QuickJS limit far above what the host thread has, so that the host overflows first.
    const unguarded = createQuickJsRunner({ maxStackBytes: 2 * 1024 * 1024 });
    const run = await unguarded.run('console.log("deep");\nfunction down(n) { return down(n + 1) + 1 }\ndown(0)', limits);
    expect(run).toEqual({ console: 'deep', error: expect.stringMatching(/^stack overflow: the code nested too deeply for the sandbox/), truncated: false });
    expect((await runner.run('"still fine"', limits)).result).toBe('still fine');
  });
});

describe('quickJsRunner: await and promises', () => {
  it('supports top-level await, with the last expression or a return as the result', async () => {
    expect((await js('const v = await Promise.resolve(20);\nv + 1')).result).toBe('21');
    expect((await js('const v = await Promise.resolve(20); v * 2')).result).toBe('40');
    expect((await js('await null\nreturn "returned"')).result).toBe('returned');
    expect((await js('let t = 0\nfor (const n of [1, 2, 3])\n  t += await n\nt')).result).toBe('6');
  });

  it('settles a returned promise, or reports its rejection', async () => {
    expect((await js('Promise.resolve({ ok: true })')).result).toBe('{ ok: true }');
    expect((await js('(async () => { throw new RangeError("late") })()')).error).toMatch(/^Uncaught RangeError: late\n {4}at /);
    expect((await js('await Promise.reject(new Error("awaited"))')).error).toMatch(/^Uncaught Error: awaited/);
  });

  it('says when the returned promise can never settle', async () => {
    expect((await js('new Promise(() => {})')).error).toBe('the promise the code returned never settled: nothing here can settle it later (run_js has no timers, network or I/O)');
  });
});

describe('quickJsRunner: limits', () => {
  it('stops an endless loop at the time limit', async () => {
    const run = await js('console.log("started"); while (true) {}', SHORT_TIMEOUT);
    expect(run).toEqual({ console: 'started', error: 'timed out: the code ran longer than 200 ms and was stopped', truncated: false });
  });

  it('stops code that catches the interruption and loops again', async () => {
    expect((await js('for (;;) { try { while (true) {} } catch (e) {} }', SHORT_TIMEOUT)).error).toMatch(/^timed out/);
  });

  it('stops endless chains of promise jobs and async loops', async () => {
    expect((await js('(function again() { Promise.resolve().then(again) })(); 1', SHORT_TIMEOUT)).error).toMatch(/^timed out/);
    expect((await js('async function spin() { for (;;) await null } spin()', SHORT_TIMEOUT)).error).toMatch(/^timed out/);
  });

  it.each([
    ['typed arrays', 'const kept = []; for (;;) kept.push(new Uint8Array(1 << 20))'],
    ['strings', 'const kept = []; for (let i = 0; ; i++) kept.push("y".repeat(1 << 16) + i)'],
    ['objects', 'const kept = []; for (let i = 0; ; i++) kept.push({ i, s: "z" + i })'],
  ])('stops a memory bomb of %s at the memory limit', async (_, code) => {
    expect(await js(code)).toEqual({ console: '', error: 'memory limit exceeded: the code used more than 16 MiB and was stopped', truncated: false });
  });

  it(`refuses native array loops over more than ${ARRAY_GUARD_MAX_LENGTH} elements, which no limit could stop`, async () => {
    expect((await js('new Array(2 ** 31).join("x")')).error).toMatch(/^Uncaught RangeError: Array\.prototype\.join on 2147483648 elements: run_js refuses arrays longer than 10000000/);
    expect((await js('Array.prototype.indexOf.call({ length: 2 ** 40 }, 1)')).error).toMatch(/^Uncaught RangeError: Array\.prototype\.indexOf on/);
    expect((await js('[3, 1, 2].sort().map((n) => n * 2).join("-") + " " + Array.prototype.map.name + Array.prototype.map.length')).result).toBe('2-4-6 map1');
  });
});

describe('quickJsRunner: isolation', () => {
  it('exposes no network, storage, timers, modules or host APIs', async () => {
    const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'indexedDB', 'localStorage', 'caches', 'importScripts', 'setTimeout', 'setInterval', 'require', 'process', 'WebAssembly', 'navigator', 'document', 'self', 'postMessage', 'std', 'os'];
    const run = await js(`[${names.map((n) => `typeof ${n}`).join(', ')}].every((t) => t === "undefined")`);
    expect(run.result).toBe('true');
    expect((await js('import("fs")')).error).toMatch(/^Uncaught ReferenceError: could not load module 'fs'/);
  });

  it('keeps nothing from one run to the next, and recovers after a run that hit a limit', async () => {
    await js('globalThis.leftover = 1');
    expect((await js('typeof leftover')).result).toBe('undefined');
    await js('const kept = []; for (;;) kept.push(new Uint8Array(1 << 20))');
    await js('function f() { return f() } f()');
    for (let i = 0; i < 20; i++) expect((await js(`${i} * 2`)).result).toBe(String(i * 2));
  });

  it('reports a sandbox that cannot start', async () => {
    const broken = createQuickJsRunner({ load: () => Promise.reject(new Error('no WebAssembly here')) });
    expect(await broken.run('1', limits)).toEqual({ console: '', error: 'the JavaScript sandbox could not be started: no WebAssembly here', truncated: false });
  });
});
