// A workspace that remembers what it read. In an OPFS workspace Switchboard is the only writer,
// and every OPFS call is a round trip to the browser process (about a millisecond each on a small
// machine): listing three files took 5–10 ms, which is the whole budget of a continuation. So the
// broker reads each listing and file once and answers again from memory until something writes.
// Writes through this object update the cache; writes from elsewhere (the Files panel importing
// files) must call invalidate(). Local folders, which other programs edit, are not wrapped.
import type { Workspace, WorkspaceEntry } from './workspace.ts';
import { resolveWorkspacePath } from './workspace.ts';

/** File texts kept in memory, in all; the least recently used go first. */
export const CACHED_TEXT_MAX_BYTES = 32 * 1024 * 1024;

export interface CachedWorkspace extends Workspace {
  /** Forgets everything: the next reads go to the workspace again. */
  invalidate(): void;
}

export function createCachedWorkspace(inner: Workspace, options: { maxTextBytes?: number } = {}): CachedWorkspace {
  const maxTextBytes = options.maxTextBytes ?? CACHED_TEXT_MAX_BYTES;
  /** Bumped whenever the workspace may have changed: a read that began under an older
   *  generation answers its caller but is not remembered (it may predate the change). */
  let generation = 0;
  let listings = new Map<string, WorkspaceEntry[]>();
  let kinds = new Map<string, 'file' | 'directory' | null>();
  /** Insertion order is recency order (a hit re-inserts). */
  let texts = new Map<string, string>();
  let textChars = 0;

  const clearStructure = () => {
    generation += 1;
    listings = new Map();
    kinds = new Map();
  };

  const forgetText = (path: string) => {
    const old = texts.get(path);
    if (old === undefined) return;
    texts.delete(path);
    textChars -= old.length;
  };

  const rememberText = (path: string, text: string) => {
    forgetText(path);
    // Characters stand in for bytes: close enough for a memory bound, and free to compute.
    if (text.length > maxTextBytes / 4) return;
    texts.set(path, text);
    textChars += text.length;
    for (const [oldest, value] of texts) {
      if (textChars <= maxTextBytes) break;
      texts.delete(oldest);
      textChars -= value.length;
    }
  };

  /** Runs a write, treating the workspace as changed both before (reads racing it must not be
   *  remembered) and after (what was remembered before it is stale). */
  async function writing<T>(paths: string[], write: () => Promise<T>): Promise<T> {
    clearStructure();
    for (const p of paths) forgetText(p);
    try {
      return await write();
    } finally {
      clearStructure();
      for (const p of paths) forgetText(p);
    }
  }

  return {
    id: inner.id,
    async list(path, depth) {
      const key = `${resolveWorkspacePath(path)}\u0000${depth}`;
      const hit = listings.get(key);
      if (hit) return hit.map((e) => ({ ...e }));
      const started = generation;
      const entries = await inner.list(path, depth);
      if (generation === started) listings.set(key, entries.map((e) => ({ ...e })));
      return entries;
    },
    async readText(path) {
      const p = resolveWorkspacePath(path);
      const hit = texts.get(p);
      if (hit !== undefined) {
        texts.delete(p);
        texts.set(p, hit);
        return hit;
      }
      const started = generation;
      const text = await inner.readText(p);
      if (generation === started) rememberText(p, text);
      return text;
    },
    async writeText(path, text) {
      const p = resolveWorkspacePath(path);
      await writing([p], () => inner.writeText(p, text));
      rememberText(p, text);
    },
    async remove(path) {
      const p = resolveWorkspacePath(path);
      await writing([p], () => inner.remove(p));
    },
    async exists(path) {
      const p = resolveWorkspacePath(path);
      if (kinds.has(p)) return kinds.get(p)!;
      const started = generation;
      const kind = await inner.exists(p);
      if (generation === started) kinds.set(p, kind);
      return kind;
    },
    ...(inner.removeEmptyDirectory
      ? {
          removeEmptyDirectory: (path: string) => writing([], () => inner.removeEmptyDirectory!(path)),
        }
      : {}),
    invalidate() {
      clearStructure();
      texts = new Map();
      textChars = 0;
    },
  };
}
