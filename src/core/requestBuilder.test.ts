import { describe, expect, it } from 'vitest';
import { buildClientMetadata } from './clientMetadata.ts';
import { buildHttpRequest, buildResponseCreate, canChain, type ModelSettings } from './requestBuilder.ts';
import { userMessage, type Item } from './wire.ts';

const settings: ModelSettings = { model: 'm', instructions: 'be brief', tools: [] };
const identity = { threadId: 'th', turnId: 'tu', windowGeneration: 0, requestKind: 'turn' as const, model: 'm' };
const assistant: Item = { type: 'message', id: 'msg_1', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] };

describe('client metadata', () => {
  it('carries the PROTOCOL §2 keys and the turn state only when there is one', () => {
    const without = buildClientMetadata(identity, undefined);
    expect(without).toMatchObject({ session_id: 'th', thread_id: 'th', turn_id: 'tu', 'x-codex-window-id': 'th:0' });
    expect(JSON.parse(without['x-codex-turn-metadata']!)).toEqual({ session_id: 'th', thread_id: 'th', turn_id: 'tu', request_kind: 'turn', model: 'm' });
    expect('x-codex-turn-state' in without).toBe(false);
    expect(buildClientMetadata(identity, 'v1')['x-codex-turn-state']).toBe('v1');
  });

  it('refuses a value over 2,048 characters instead of corrupting it', () => {
    expect(() => buildClientMetadata(identity, 'x'.repeat(2049))).toThrow(/2048/);
    expect(buildClientMetadata(identity, 'x'.repeat(2048))['x-codex-turn-state']).toHaveLength(2048);
  });
});

describe('request building and chaining', () => {
  const history: Item[] = [userMessage('one'), assistant, userMessage('two')];

  it('chains only on the socket whose last response is the thread’s', () => {
    const chain = { socketId: 2, responseId: 'resp_9', historyLength: 2 };
    expect(canChain(chain, { id: 2, lastResponseId: 'resp_9' })).toBe(true);
    expect(canChain(chain, { id: 3, lastResponseId: 'resp_9' })).toBe(false);
    // Another thread used the socket since: its last response is not ours.
    expect(canChain(chain, { id: 2, lastResponseId: 'resp_10' })).toBe(false);
    expect(canChain(null, { id: 2, lastResponseId: null })).toBe(false);
  });

  it('sends only new items with previous_response_id when chained', () => {
    const request = buildResponseCreate({ settings, identity, history, chain: { socketId: 1, responseId: 'resp_9', historyLength: 2 }, turnState: 'v1' });
    expect(request.previous_response_id).toBe('resp_9');
    expect(request.input).toEqual([userMessage('two')]);
    expect(request.client_metadata?.['x-codex-turn-state']).toBe('v1');
    expect('generate' in request).toBe(false);
  });

  it('sends the full history, stripped of server ids, without previous_response_id otherwise', () => {
    const request = buildResponseCreate({ settings, identity, history, chain: null, turnState: undefined });
    expect('previous_response_id' in request).toBe(false);
    expect(request.input).toHaveLength(3);
    expect(request.input[1]).toEqual({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'hi' }] });
    expect(request.store).toBe(false);
  });

  it('marks a warmup with generate:false', () => {
    expect(buildResponseCreate({ settings, identity: { ...identity, turnId: '', requestKind: 'prewarm' }, history: [], chain: null, turnState: undefined, generate: false }).generate).toBe(false);
  });

  it('puts the turn state in a header over HTTP, never in the body', () => {
    const { body, headers } = buildHttpRequest({ settings, identity, history, turnState: 'v7' });
    expect(headers['x-codex-turn-state']).toBe('v7');
    expect(body.client_metadata?.['x-codex-turn-state']).toBeUndefined();
    expect(body).not.toHaveProperty('type');
    expect(body).not.toHaveProperty('previous_response_id');
    expect(body.input).toHaveLength(3);
    expect(buildHttpRequest({ settings, identity, history, turnState: undefined }).headers).not.toHaveProperty('x-codex-turn-state');
  });
});
