// What a running turn has produced so far, per request. It answers three questions the broker
// is asked mid-turn: what to show a tab that joins now (snapshot), what to save in case the app
// closes (progress), and what partial answer to keep on Stop. A request that died is voided:
// its output is not part of the conversation, and the resend produces it again.
import type { Item } from './wire.ts';

interface DoneEntry {
  request: number;
  item: Item;
}

export interface TurnOutput {
  /** The current request's number (0 before the first). */
  readonly request: number;
  /** Starts the next request; a resend voids everything of the request it replaces. */
  beginRequest(resend: boolean): number;
  delta(itemId: string, text: string): void;
  /** A finished item of the current request (or a tool output answering it). */
  done(item: Item): void;
  /** Marks everything finished so far as saved in the thread's history. */
  commit(): void;
  items(): Item[];
  /** Finished items not yet committed (output of a request still running). */
  uncommitted(): Item[];
  streaming(): { itemId: string; text: string }[];
  /** Characters of text streaming now (what a progress save writes besides the items). */
  streamedChars(): number;
}

export function createTurnOutput(): TurnOutput {
  let request = 0;
  let entries: DoneEntry[] = [];
  /** entries.slice(0, committed) are in the thread's history; a void never reaches them. */
  let committed = 0;
  /** Streaming text per item id, for items not finished; insertion order is display order. */
  let streaming = new Map<string, { request: number; text: string }>();

  return {
    get request() {
      return request;
    },
    beginRequest(resend) {
      if (resend) {
        const dead = request;
        entries = entries.filter((e, i) => i < committed || e.request !== dead);
        streaming = new Map([...streaming].filter(([, s]) => s.request !== dead));
      }
      request += 1;
      return request;
    },
    delta(itemId, text) {
      const current = streaming.get(itemId);
      if (current) current.text += text;
      else streaming.set(itemId, { request, text });
    },
    done(item) {
      const id = (item as { id?: unknown }).id;
      if (typeof id === 'string') streaming.delete(id);
      entries.push({ request, item });
    },
    commit() {
      committed = entries.length;
    },
    items: () => entries.map((e) => e.item),
    uncommitted: () => entries.slice(committed).map((e) => e.item),
    streaming: () => [...streaming].filter(([, s]) => s.text.length > 0).map(([itemId, s]) => ({ itemId, text: s.text })),
    streamedChars: () => {
      let chars = 0;
      for (const s of streaming.values()) chars += s.text.length;
      return chars;
    },
  };
}
