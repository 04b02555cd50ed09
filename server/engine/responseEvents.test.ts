import { describe, expect, it } from 'vitest';
import { paddingEvent } from './responseDelivery.ts';
import { responseEvents, splitIntoChunks, splitIntoWordGroups } from './responseEvents.ts';

describe('text splitting', () => {
  it('cuts text into the requested number of pieces without splitting code points', () => {
    expect(splitIntoChunks('abcdefghij', 3)).toEqual(['abc', 'def', 'ghij']);
    expect(splitIntoChunks('ab', 4)).toEqual(['a', 'b']);
    expect(splitIntoChunks('', 4)).toEqual([]);
    expect(splitIntoChunks('😀😀', 2)).toEqual(['😀', '😀']);
  });

  it('cuts text into word groups that join back to the text', () => {
    const text = '  one two\nthree  four five ';
    const groups = splitIntoWordGroups(text, 2);
    expect(groups).toEqual(['  one two\n', 'three  four ', 'five ']);
    expect(groups.join('')).toBe(text);
  });
});

describe('responseEvents', () => {
  it('numbers output items and keeps one id per item across its events', () => {
    let n = 0;
    const { events, response } = responseEvents({
      responseId: 'resp_1',
      model: 'm',
      conversation: [],
      plan: { textDeltas: ['hi'], toolCalls: [{ name: 'f', arguments: '{"a":1}' }] },
      newId: (prefix) => `${prefix}_${++n}`,
    });
    const added = events.filter((event) => event.type === 'response.output_item.added');
    expect(added.map((event) => [event.output_index, (event.item as { id: string }).id])).toEqual([[0, 'msg_1'], [1, 'fc_2']]);
    const argDeltas = events.filter((event) => event.type === 'response.function_call_arguments.delta');
    expect(argDeltas.map((event) => event.delta).join('')).toBe('{"a":1}');
    expect(argDeltas.every((event) => event.item_id === 'fc_2')).toBe(true);
    expect(response.output).toMatchObject([{ id: 'msg_1' }, { id: 'fc_2', call_id: 'call_3' }]);
  });
});

describe('paddingEvent', () => {
  it('serialises to exactly the requested size', () => {
    expect(JSON.stringify(paddingEvent(5000))).toHaveLength(5000);
  });
});
