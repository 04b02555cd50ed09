import { describe, expect, it } from 'vitest';
import { BrokerError, createBrokerClient, type Endpoint } from './brokerClient.ts';
import { endpointPair, fakeBroker } from './testing/fakes.ts';

describe('createBrokerClient', () => {
  it('sends calls as RpcCall and resolves with the matching reply', async () => {
    const [tab, brokerSide] = endpointPair();
    const calls = fakeBroker(brokerSide, (call) => (call.method === 'hello' ? { brokerId: 'b1', appVersion: 'test' } : { turnId: 'tu' }));
    const client = createBrokerClient(tab);
    const [hello, started] = await Promise.all([
      client.call('hello', { tabId: 'tab1' }),
      client.call('startTurn', { tabId: 'tab1', threadId: 'th', turnId: 'tu', text: 'hi' }),
    ]);
    expect(hello).toEqual({ brokerId: 'b1', appVersion: 'test' });
    expect(started).toEqual({ turnId: 'tu' });
    expect(calls).toEqual([
      { kind: 'call', id: 1, method: 'hello', params: { tabId: 'tab1' } },
      { kind: 'call', id: 2, method: 'startTurn', params: { tabId: 'tab1', threadId: 'th', turnId: 'tu', text: 'hi' } },
    ]);
  });

  it('rejects with the broker’s error message', async () => {
    const [tab, brokerSide] = endpointPair();
    fakeBroker(brokerSide, () => {
      throw new Error('a turn is already running in this thread');
    });
    const client = createBrokerClient(tab);
    const result = client.call('startTurn', { tabId: 't', threadId: 'th', turnId: 'tu', text: 'x' });
    await expect(result).rejects.toBeInstanceOf(BrokerError);
    await expect(result).rejects.toThrow('a turn is already running in this thread');
  });

  it('ignores unrelated messages and replies to unknown ids', async () => {
    const [tab, brokerSide] = endpointPair();
    const client = createBrokerClient(tab);
    const pending = client.call('inspect', {});
    brokerSide.postMessage({ type: 'batch', events: [] });
    brokerSide.postMessage({ kind: 'reply', id: 99, ok: true, result: 'nope' });
    brokerSide.postMessage({ kind: 'reply', id: 1, ok: true, result: { transport: 'ws', sockets: [], cells: [], queued: 0, handshakes: 0 } });
    await expect(pending).resolves.toMatchObject({ transport: 'ws' });
  });

  it('close rejects pending calls and refuses new ones', async () => {
    const [tab] = endpointPair();
    const client = createBrokerClient(tab);
    const pending = client.call('hello', { tabId: 't' });
    client.close('gone');
    await expect(pending).rejects.toThrow('gone');
    await expect(client.call('bye', { tabId: 't' })).rejects.toThrow('gone');
  });

  it('starts a MessagePort-like endpoint', () => {
    let started = false;
    const endpoint: Endpoint = {
      postMessage() {},
      addEventListener() {},
      removeEventListener() {},
      start: () => {
        started = true;
      },
    };
    createBrokerClient(endpoint);
    expect(started).toBe(true);
  });
});
