import { describe, expect, it } from 'vitest';
import { decodeFrame } from './responseCodec.ts';
import { createSseParser } from './sseParser.ts';
import { turnStateFromEvent } from './wire.ts';

describe('frame decoding', () => {
  it('accepts one JSON event per text frame, unknown types included', () => {
    expect(decodeFrame('{"type":"response.brand_new","x":1}')).toEqual({ ok: true, event: { type: 'response.brand_new', x: 1 } });
  });

  it('names binary, malformed, typeless and oversized frames', () => {
    expect(decodeFrame(new ArrayBuffer(4))).toMatchObject({ ok: false, problem: 'binary' });
    expect(decodeFrame('{not json')).toMatchObject({ ok: false, problem: 'malformed', message: expect.stringContaining('not valid JSON') });
    expect(decodeFrame('[1,2]')).toMatchObject({ ok: false, problem: 'malformed' });
    expect(decodeFrame(JSON.stringify({ type: 'x', pad: 'y'.repeat(100) }), 50)).toMatchObject({ ok: false, problem: 'oversized' });
  });
});

describe('turn state from response.metadata', () => {
  it('reads only top-level headers of response.metadata, case-insensitively, string or array', () => {
    expect(turnStateFromEvent({ type: 'response.metadata', headers: { 'X-Codex-Turn-State': 'a' } })).toBe('a');
    expect(turnStateFromEvent({ type: 'response.metadata', headers: { 'x-codex-turn-state': [7, 'b', 'c'] } })).toBe('b');
    expect(turnStateFromEvent({ type: 'response.metadata', metadata: { headers: { 'x-codex-turn-state': 'nested' } } })).toBeUndefined();
    expect(turnStateFromEvent({ type: 'response.created', headers: { 'x-codex-turn-state': 'wrong-event' } })).toBeUndefined();
    expect(turnStateFromEvent({ type: 'response.metadata', headers: { 'x-codex-turn-state': [1, 2] } })).toBeUndefined();
  });
});

describe('SSE parser', () => {
  it('reassembles events split across chunks and CRLF line ends', () => {
    const parser = createSseParser();
    expect(parser.push('event: a\r\ndata: {"type"')).toEqual([]);
    expect(parser.push(':"a"}\r\n\r')).toEqual([]);
    expect(parser.push('\n: keep-alive\n\ndata: 1\ndata: 2\n\n')).toEqual([
      { event: 'a', data: '{"type":"a"}' },
      { event: undefined, data: '1\n2' },
    ]);
    expect(parser.push('data: tail')).toEqual([]);
    expect(parser.end()).toEqual([{ event: undefined, data: 'tail' }]);
  });
});
