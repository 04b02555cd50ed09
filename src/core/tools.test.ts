import { describe, expect, it } from 'vitest';
import { capOutput, runToolCall } from './tools.ts';
import { createMemoryWorkspace, resolveWorkspacePath } from './workspace.ts';

const workspace = createMemoryWorkspace('w', { 'README.md': 'hello\nworld', 'src/a.ts': 'export {}', 'src/deep/b.ts': 'b' });
const call = (name: string, args: unknown) => ({ type: 'function_call' as const, call_id: 'c1', name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });

describe('workspace paths', () => {
  it('normalises and refuses escapes', () => {
    expect(resolveWorkspacePath('/src/./a.ts')).toBe('src/a.ts');
    expect(resolveWorkspacePath('src/deep/../a.ts')).toBe('src/a.ts');
    expect(() => resolveWorkspacePath('../etc/passwd')).toThrow(/outside the workspace/);
    expect(() => resolveWorkspacePath('src/../../x')).toThrow(/outside the workspace/);
  });
});

describe('tools', () => {
  it('list_files lists to the requested depth', async () => {
    const all = await runToolCall(call('list_files', {}), workspace);
    expect(all.output.split('\n')).toEqual(['README.md (11 bytes)', 'src/', 'src/a.ts (9 bytes)', 'src/deep/', 'src/deep/b.ts (1 bytes)']);
    const shallow = await runToolCall(call('list_files', { path: 'src', depth: 1 }), workspace);
    expect(shallow.output.split('\n')).toEqual(['src/a.ts (9 bytes)', 'src/deep/']);
  });

  it('read_file numbers lines', async () => {
    expect((await runToolCall(call('read_file', { path: 'README.md' }), workspace)).output).toBe('1\thello\n2\tworld');
  });

  it('turns every failure into output text', async () => {
    expect((await runToolCall(call('read_file', { path: 'nope.txt' }), workspace)).output).toMatch(/^Error: read_file failed: no file "nope.txt"/);
    expect((await runToolCall(call('read_file', {}), workspace)).output).toMatch(/missing required argument "path"/);
    expect((await runToolCall(call('read_file', '{oops'), workspace)).output).toMatch(/^Error: read_file failed/);
    expect((await runToolCall(call('read_file', { path: '../../secret' }), workspace)).output).toMatch(/outside the workspace/);
    expect((await runToolCall(call('rm_rf', {}), workspace)).output).toMatch(/unknown tool "rm_rf"/);
  });

  it('caps long output and says so', () => {
    const capped = capOutput('x'.repeat(50), 10);
    expect(capped.startsWith('x'.repeat(10))).toBe(true);
    expect(capped).toMatch(/output cut: 40 more characters/);
  });
});
