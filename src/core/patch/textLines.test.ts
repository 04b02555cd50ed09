import { describe, expect, it } from 'vitest';
import { joinLines, splitLines } from './textLines.ts';

describe('splitLines / joinLines', () => {
  it.each(['', '\n', 'a', 'a\n', 'a\nb', 'a\r\nb\r\n', 'a\r\nb\nc', '\r\n\r\n', 'lone\rcr\n', 'trail\r'])('round-trips %j byte for byte', (text) => {
    expect(joinLines(splitLines(text))).toBe(text);
  });

  it('records each line\'s ending, the usual ending and the final newline', () => {
    expect(splitLines('a\r\nb\nc\r\nd')).toEqual({
      lines: [
        { text: 'a', ending: '\r\n' },
        { text: 'b', ending: '\n' },
        { text: 'c', ending: '\r\n' },
        { text: 'd', ending: '' },
      ],
      eol: '\r\n',
      finalNewline: false,
    });
    expect(splitLines('')).toEqual({ lines: [], eol: '\n', finalNewline: true });
  });

  it('gives added lines the usual ending and keeps the file\'s final-newline state', () => {
    const file = splitLines('a\r\nb');
    const lines = [file.lines[0]!, file.lines[1]!, { text: 'c', ending: null }];
    expect(joinLines({ ...file, lines })).toBe('a\r\nb\r\nc');
  });
});
