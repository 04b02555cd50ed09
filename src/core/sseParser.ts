// Incremental parser for `text/event-stream` (the HTTP fallback, PROTOCOL.md §1). Feed it text
// chunks as they arrive; it yields each event's data once the blank line that ends it is seen.

export interface SseMessage {
  event: string | undefined;
  data: string;
}

export function createSseParser(): { push(chunk: string): SseMessage[]; end(): SseMessage[] } {
  let buffer = '';
  let event: string | undefined;
  let data: string[] = [];

  const takeLine = (line: string, out: SseMessage[]) => {
    if (line === '') {
      if (data.length > 0) out.push({ event, data: data.join('\n') });
      event = undefined;
      data = [];
      return;
    }
    if (line.startsWith(':')) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  };

  return {
    push(chunk) {
      buffer += chunk;
      const out: SseMessage[] = [];
      let newline: number;
      while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
        const line = buffer.slice(0, newline);
        const width = buffer.startsWith('\r\n', newline) ? 2 : 1;
        // A lone \r at the end may be the first half of \r\n: wait for more.
        if (width === 1 && buffer[newline] === '\r' && newline === buffer.length - 1) break;
        buffer = buffer.slice(newline + width);
        takeLine(line, out);
      }
      return out;
    },
    end() {
      const out: SseMessage[] = [];
      if (buffer !== '') takeLine(buffer, out);
      buffer = '';
      takeLine('', out);
      return out;
    },
  };
}
