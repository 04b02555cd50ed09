// The files a thread's agent works on, behind a narrow interface: OPFS in the browser, a map in tests.

export interface WorkspaceEntry {
  /** Path relative to the workspace root, '/'-separated, no leading slash. */
  path: string;
  kind: 'file' | 'directory';
  size?: number;
}

export interface Workspace {
  readonly id: string;
  /** Entries under `path` ('' for the root), depth-first, down to `depth` levels (1 = direct children). */
  list(path: string, depth: number): Promise<WorkspaceEntry[]>;
  /** The file's text; rejects with a readable message when it is missing or a directory. */
  readText(path: string): Promise<string>;
  /** Creates or replaces a file, creating missing parent directories. Rejects when `path` is a
   *  directory or one of its parents is a file. */
  writeText(path: string, text: string): Promise<void>;
  /** Deletes a file (never a directory); rejects when it is missing. Emptied parents may stay. */
  remove(path: string): Promise<void>;
  /** What is at `path` now: the root ('') is a directory; a path through a file is null. */
  exists(path: string): Promise<'file' | 'directory' | null>;
  /** Removes the directory at `path` if it is empty; true when it did. Workspaces without real
   *  directories (the memory one) need not have it. */
  removeEmptyDirectory?(path: string): Promise<boolean>;
}

/** Normalises a model-supplied path to a workspace-relative one and refuses any that would
 *  leave the workspace. Absolute paths are taken as relative to the root. */
export function resolveWorkspacePath(raw: string): string {
  const parts: string[] = [];
  for (const part of raw.replace(/\\/g, '/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw new Error(`path "${raw}" is outside the workspace`);
      parts.pop();
      continue;
    }
    if (part.includes('\0')) throw new Error(`path "${raw}" contains a NUL character`);
    parts.push(part);
  }
  return parts.join('/');
}

/** An in-memory workspace: files by path. For unit tests and as the engine of last resort. */
export function createMemoryWorkspace(id: string, files: Record<string, string>): Workspace {
  const map = new Map(Object.entries(files).map(([p, text]) => [resolveWorkspacePath(p), text]));
  const directories = () => {
    const dirs = new Set<string>();
    for (const p of map.keys()) {
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    return dirs;
  };
  return {
    id,
    async list(path, depth) {
      const root = resolveWorkspacePath(path);
      const dirs = directories();
      if (root !== '' && !dirs.has(root)) throw new Error(map.has(root) ? `"${root}" is a file, not a directory` : `no directory "${root}"`);
      const prefix = root === '' ? '' : `${root}/`;
      const levels = (p: string) => p.slice(prefix.length).split('/').length;
      const entries: WorkspaceEntry[] = [];
      for (const d of dirs) if (d.startsWith(prefix) && levels(d) <= depth) entries.push({ path: d, kind: 'directory' });
      for (const [p, text] of map) if (p.startsWith(prefix) && levels(p) <= depth) entries.push({ path: p, kind: 'file', size: new TextEncoder().encode(text).length });
      return entries.sort((a, b) => a.path.localeCompare(b.path));
    },
    async readText(path) {
      const p = resolveWorkspacePath(path);
      const text = map.get(p);
      if (text === undefined) throw new Error(directories().has(p) ? `"${p}" is a directory` : `no file "${p}"`);
      return text;
    },
    async writeText(path, text) {
      const p = resolveWorkspacePath(path);
      if (p === '' || directories().has(p)) throw new Error(`"${p}" is a directory`);
      // A real file system cannot hold "a" as a file and "a/b" at once; neither may the map.
      const parts = p.split('/');
      for (let i = 1; i < parts.length; i++) {
        const parent = parts.slice(0, i).join('/');
        if (map.has(parent)) throw new Error(`cannot create "${p}": "${parent}" is a file`);
      }
      map.set(p, text);
    },
    async remove(path) {
      const p = resolveWorkspacePath(path);
      if (!map.delete(p)) throw new Error(p === '' || directories().has(p) ? `"${p}" is a directory` : `no file "${p}"`);
    },
    async exists(path) {
      const p = resolveWorkspacePath(path);
      if (map.has(p)) return 'file';
      return p === '' || directories().has(p) ? 'directory' : null;
    },
  };
}
