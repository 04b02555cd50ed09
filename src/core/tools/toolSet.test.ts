import { describe, expect, it } from 'vitest';
import type { Workspace } from '../workspace.ts';
import { contextWith, functionCall, prepare, prepared, rejection, run, toolSet, unusedJsRunner } from './toolHarness.ts';
import { capOutput, cutLine, TOOL_OUTPUT_MAX_CHARS } from './toolOutput.ts';

describe('tool definitions', () => {
  it('declares every tool once, as a strict JSON-schema function', () => {
    const names = toolSet.definitions.map((d) => d.name);
    expect(names).toEqual(['list_files', 'read_file', 'grep', 'write_file', 'apply_patch', 'run_js']);
    for (const definition of toolSet.definitions) {
      expect(definition.type).toBe('function');
      expect(definition.description.length).toBeGreaterThan(40);
      const parameters = definition.parameters as { type: string; properties: Record<string, { description?: string }>; required?: string[]; additionalProperties: boolean };
      expect(parameters.type).toBe('object');
      expect(parameters.additionalProperties).toBe(false);
      for (const required of parameters.required ?? []) expect(Object.keys(parameters.properties)).toContain(required);
      for (const property of Object.values(parameters.properties)) expect(property.description).toBeTruthy();
    }
  });
});

describe('prepare and run never reject', () => {
  const context = contextWith({ 'a.txt': 'a\n' });

  it('answers an unknown tool with the list of tools', async () => {
    expect(await rejection(context, 'rm_rf', {})).toBe('Error: unknown tool "rm_rf". Available tools: list_files, read_file, grep, write_file, apply_patch, run_js.');
  });

  it('answers malformed arguments, missing, mistyped and unknown ones by name', async () => {
    expect(await rejection(context, 'read_file', '{oops')).toMatch(/^Error: read_file failed: the arguments are not valid JSON/);
    expect(await rejection(context, 'read_file', '[1]')).toBe('Error: read_file failed: the arguments must be a JSON object');
    expect(await rejection(context, 'read_file', {})).toBe('Error: read_file failed: missing required argument "path"');
    expect(await rejection(context, 'read_file', { path: 3 })).toBe('Error: read_file failed: argument "path" must be a string');
    expect(await rejection(context, 'read_file', { path: 'a.txt', offest: 2 })).toBe('Error: read_file failed: unknown argument "offest": it accepts "path", "offset", "limit"');
    expect(await rejection(context, 'read_file', { path: 'a.txt', limit: 'ten' })).toBe('Error: read_file failed: argument "limit" must be an integer');
  });

  it('takes empty arguments for an empty object', async () => {
    expect((await run(context, 'list_files', '')).output).toBe('a.txt (2 bytes)');
  });

  it('turns a storage error in prepare or run into output', async () => {
    const broken: Workspace = {
      id: 'broken',
      list: () => Promise.reject(new Error('permission revoked')),
      readText: () => Promise.reject(new Error('permission revoked')),
      writeText: () => Promise.reject(new Error('disk full')),
      remove: () => Promise.reject(new Error('permission revoked')),
      exists: () => Promise.reject(new Error('permission revoked')),
    };
    const brokenContext = { workspace: broken, jsRunner: unusedJsRunner };
    expect((await run(brokenContext, 'list_files', {})).output).toBe('Error: list_files failed: permission revoked');
    expect(await rejection(brokenContext, 'write_file', { path: 'x', content: 'y' })).toBe('Error: write_file failed: permission revoked');
    const patch = await rejection(brokenContext, 'apply_patch', { patch: '*** Begin Patch\n*** Delete File: x\n*** End Patch' });
    expect(patch).toMatch(/^Error: apply_patch failed: the patch cannot be applied, nothing was changed:\n- x \(patch line 2\): permission revoked/);
  });

  it('turns a failing JsRunner into output', async () => {
    const result = await run(contextWith({}), 'run_js', { code: '1' });
    expect(result).toEqual({ output: 'Error: run_js failed: this test should not run JavaScript', changes: [] });
  });

  it('caps every output', async () => {
    const big = contextWith(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`${'d'.repeat(60)}/${i}-${'f'.repeat(60)}.txt`, ''])));
    const output = (await run(big, 'list_files', {})).output;
    expect(output.length).toBeLessThanOrEqual(TOOL_OUTPUT_MAX_CHARS + 100);
    expect(output).toMatch(/\[output cut: \d+ more characters not shown\]$/);
  });
});

describe('paths never leave the workspace', () => {
  const context = contextWith({ 'etc/passwd': 'inside\n', 'a/b.txt': 'b\n' });
  const pathCalls: [string, (path: string) => Record<string, unknown>][] = [
    ['list_files', (path) => ({ path })],
    ['read_file', (path) => ({ path })],
    ['grep', (path) => ({ pattern: 'x', path })],
    ['write_file', (path) => ({ path, content: 'pwned' })],
  ];

  it.each(['../x', 'a/../../x', '/../x', '..\\x', 'a\\..\\..\\x', 'a/b\0.txt'])('refuses %j in every tool, changing nothing', async (path) => {
    for (const [name, args] of pathCalls) {
      expect(await rejection(context, name, args(path))).toMatch(new RegExp(`^Error: ${name} failed: argument "path": path ".*" (is outside the workspace|contains a NUL character)$`));
    }
    expect(await context.workspace.readText('a/b.txt')).toBe('b\n');
  });

  it('reads an absolute path, or one with backslashes, inside the workspace', async () => {
    expect((await run(context, 'read_file', { path: '/etc/passwd' })).output).toBe('1\tinside');
    expect((await run(context, 'read_file', { path: 'a\\b.txt' })).output).toBe('1\tb');
    expect((await prepared(context, 'write_file', { path: '/etc/passwd', content: 'x' })).summary).toBe('write_file: update etc/passwd (+1 −1)');
  });

  it('gives an approval summary naming the resolved path', async () => {
    const result = await prepare(context, 'read_file', { path: './a/./b.txt' });
    expect(result.kind === 'ready' && result.prepared).toMatchObject({ access: 'read', summary: 'read_file: a/b.txt' });
  });
});

describe('output helpers', () => {
  it('caps long output and says so', () => {
    const capped = capOutput('x'.repeat(50), 10);
    expect(capped.startsWith('x'.repeat(10))).toBe(true);
    expect(capped).toMatch(/output cut: 40 more characters/);
    expect(capOutput('short', 10)).toBe('short');
  });

  it('never cuts a surrogate pair in half', () => {
    expect(capOutput(`abc${'😀'.repeat(5)}`, 4)).toBe('abc\n[output cut: 10 more characters not shown]');
    expect(cutLine(`ab😀cd`, 3)).toBe('ab… [line cut: 4 more characters]');
  });
});
