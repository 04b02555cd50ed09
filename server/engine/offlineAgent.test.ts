import { describe, expect, it } from 'vitest';
import type { FunctionTool, Item } from '../../src/core/wire.ts';
import { userMessage } from '../../src/core/wire.ts';
import { compactConversation, offlineReply } from './offlineAgent.ts';

const tool = (name: string): FunctionTool => ({ type: 'function', name, description: name, parameters: { type: 'object' } });
const TOOLS = [tool('list_files'), tool('read_file')];

describe('offlineReply', () => {
  it('explains offline mode and how to connect a model, echoing the request', () => {
    const reply = offlineReply([userMessage('Why is the sky blue?')], TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain("Switchboard's offline engine");
    expect(reply.text).toContain('> Why is the sky blue?');
    for (const hint of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'npm start']) expect(reply.text).toContain(hint);
  });

  it('answers only the latest user message', () => {
    const reply = offlineReply([userMessage('list files'), userMessage('thanks!')], TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('> thanks!');
  });

  it.each(['list the files', 'ls', 'show me the files', 'what FILES are there?'])('calls list_files for %j', (ask) => {
    expect(offlineReply([userMessage(ask)], TOOLS)).toEqual({ text: '', toolCalls: [{ name: 'list_files', arguments: '{"path":""}' }] });
  });

  it.each([
    ['read src/main.ts', 'src/main.ts'],
    ['please open the file README.md.', 'README.md'],
    ['show me `package.json`', 'package.json'],
    ['Open Makefile', 'Makefile'],
  ])('calls read_file for %j', (ask, path) => {
    expect(offlineReply([userMessage(ask)], TOOLS).toolCalls).toEqual([{ name: 'read_file', arguments: JSON.stringify({ path }) }]);
  });

  it('does not call tools that were not declared', () => {
    expect(offlineReply([userMessage('list files')], [tool('read_file')]).toolCalls).toEqual([]);
    expect(offlineReply([userMessage('read a.ts')], [tool('list_files')]).toolCalls).toEqual([]);
  });

  it('reports trailing tool outputs by the name of their call, without calling tools again', () => {
    const conversation: Item[] = [
      userMessage('list files'),
      { type: 'function_call', call_id: 'call_1', name: 'list_files', arguments: '{"path":""}' },
      { type: 'function_call', call_id: 'call_2', name: 'read_file', arguments: '{"path":"a.md"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'a.md' },
      { type: 'function_call_output', call_id: 'call_2', output: 'has ``` fences' },
    ];
    const reply = offlineReply(conversation, TOOLS);
    expect(reply.toolCalls).toEqual([]);
    expect(reply.text).toContain('**`list_files`** `{"path":""}`');
    expect(reply.text).toContain('**`read_file`**');
    // The fence must be longer than any backtick run in the output.
    expect(reply.text).toContain('````\nhas ``` fences\n````');
  });

  it('truncates long tool outputs', () => {
    const reply = offlineReply([{ type: 'function_call_output', call_id: 'call_x', output: 'y'.repeat(5000) }], TOOLS);
    expect(reply.text).toContain('call `call_x`');
    expect(reply.text).toContain('(3500 more characters)');
    expect(reply.text.length).toBeLessThan(2500);
  });
});

describe('compactConversation', () => {
  it('replaces the conversation with one user message naming the recent requests', () => {
    const compacted = compactConversation([
      userMessage('first ask'),
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'answer' }] },
      userMessage('second\nask'),
    ]);
    expect(compacted).toHaveLength(1);
    const text = JSON.stringify(compacted[0]);
    expect(compacted[0]).toMatchObject({ type: 'message', role: 'user' });
    expect(text).toContain('- first ask');
    expect(text).toContain('- second ask');
    expect(text).not.toContain('answer');
  });
});
