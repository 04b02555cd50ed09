import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from './engineServer.ts';
import { epochNowMs, FIREHOSE_STAMP_CHARS, firehoseDeltas, stampDelta } from './firehose.ts';
import { CONTROL_PREFIX, type EngineLog } from './testControl.ts';
import { openTestSocket, postJson, responseCreate, userInput } from '../testing/testClients.ts';

describe('firehoseDeltas', () => {
  it('makes exactly `deltas` pieces of exactly `chars` characters of prose', () => {
    const deltas = firehoseDeltas({ deltas: 500, chars: 32 });
    expect(deltas).toHaveLength(500);
    expect(deltas.every((d) => d.length === 32)).toBe(true);
    expect(deltas.join('')).toMatch(/^[a-z .\n]+$/);
    expect(deltas.join('')).toContain('\n\n');
  });

  it('starts stamped deltas with a placeholder that stampDelta fills with the send time', () => {
    const [delta] = firehoseDeltas({ deltas: 1, chars: 40, stamp: true });
    const event = { type: 'response.output_text.delta', item_id: 'msg_1', delta: delta! };
    const stamped = stampDelta(event, 1_700_000_000_123.4567);
    expect(stamped.delta).toHaveLength(40);
    expect(stamped.delta.startsWith('@1700000000123.457 ')).toBe(true);
    expect(stamped.delta.slice(FIREHOSE_STAMP_CHARS)).toBe(delta!.slice(FIREHOSE_STAMP_CHARS));
    expect(event.delta).toBe(delta); // the planned event is not modified
  });

  it('leaves other events and unstamped deltas alone', () => {
    const done = { type: 'response.output_text.done', text: '@x' };
    expect(stampDelta(done, 1)).toBe(done);
    const plain = { type: 'response.output_text.delta', delta: 'plain' };
    expect(stampDelta(plain, 1)).toBe(plain);
  });

  it('refuses sizes that cannot hold a stamp', () => {
    expect(() => firehoseDeltas({ deltas: 1, chars: FIREHOSE_STAMP_CHARS, stamp: true })).toThrow(/chars/);
    expect(() => firehoseDeltas({ deltas: -1, chars: 8 })).toThrow(/deltas/);
  });
});

describe('a scripted firehose over WebSocket', () => {
  let server: EngineServer;
  beforeAll(async () => {
    server = await startEngineServer({ testHooks: true });
  });
  afterAll(() => server.close());

  it('streams stamped deltas and logs frame sizes, arrival and completion times', async () => {
    await postJson(`${server.url}${CONTROL_PREFIX}/script`, { responses: [{ firehose: { deltas: 50, chars: 30, stamp: true } }] });
    const socket = await openTestSocket(`${server.url.replace('http:', 'ws:')}/v1/responses`);
    const before = epochNowMs();
    socket.send(responseCreate({ input: userInput('go') }));
    const events = await socket.untilTerminal();
    const after = epochNowMs();
    const deltas = events.filter((e) => e.type === 'response.output_text.delta').map((e) => e.delta as string);
    expect(deltas).toHaveLength(50);
    for (const delta of deltas) {
      const sentAt = Number(/^@(\d+\.\d{3}) /.exec(delta)?.[1]);
      expect(sentAt).toBeGreaterThanOrEqual(Math.floor(before));
      expect(sentAt).toBeLessThanOrEqual(after);
    }
    const log = (await (await fetch(`${server.url}${CONTROL_PREFIX}/log`)).json()) as EngineLog;
    const [frame] = log.frames;
    expect(frame?.bytes).toBe(Buffer.byteLength(JSON.stringify(responseCreate({ input: userInput('go') }))));
    const response = events.at(-1)!.response as { id: string };
    expect(log.completed).toEqual([{ socket: frame!.socket, response: response.id, t: expect.any(Number) }]);
    expect(log.completed[0]!.t).toBeGreaterThan(frame!.t);
    socket.ws.close();
  });
});
