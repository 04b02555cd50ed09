// PROTOCOL.md §4: one turn-state cell per logical turn. The first value the server returns in
// the turn wins and is never replaced; the cell starts empty and is dropped when the turn ends.

export interface TurnStateCell {
  /** The value to send, or undefined while the cell is empty. */
  get(): string | undefined;
  /** Offers a value the server returned; true only when it filled the empty cell. */
  offer(value: string): boolean;
}

export function createTurnStateCell(): TurnStateCell {
  let value: string | undefined;
  return {
    get: () => value,
    offer(candidate) {
      if (value !== undefined) return false; // first value wins (§4.2)
      value = candidate;
      return true;
    },
  };
}

export interface CellKey {
  tabId: string;
  turnId: string;
}

export interface OpenCell extends CellKey {
  threadId: string;
  cell: TurnStateCell;
}

/** The broker's live cells, keyed by (tab, turn). A turn id is unique, the tab id keeps
 *  two tabs that happen to reuse a turn id apart. */
export interface TurnStateCells {
  open(key: CellKey, threadId: string): TurnStateCell;
  release(key: CellKey): void;
  list(): OpenCell[];
}

export function createTurnStateCells(): TurnStateCells {
  const cells = new Map<string, OpenCell>();
  const keyOf = (key: CellKey) => `${key.tabId}\u0000${key.turnId}`;
  return {
    open(key, threadId) {
      const k = keyOf(key);
      if (cells.has(k)) throw new Error(`turn ${key.turnId} of tab ${key.tabId} already has a cell`);
      const cell = createTurnStateCell();
      cells.set(k, { ...key, threadId, cell });
      return cell;
    },
    release(key) {
      cells.delete(keyOf(key));
    },
    list: () => [...cells.values()],
  };
}
