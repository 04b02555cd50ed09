// A Workspace backed by the Origin Private File System: works in the SharedWorker, needs no
// permission prompt, and survives reloads.
import { resolveWorkspacePath, type Workspace, type WorkspaceEntry } from '../src/core/workspace.ts';
import { DEFAULT_WORKSPACE_ID } from '../src/core/workspaceRegistry.ts';

type Dir = FileSystemDirectoryHandle;

async function walkTo(root: Dir, path: string): Promise<Dir> {
  let dir = root;
  for (const part of path.split('/').filter(Boolean)) {
    try {
      dir = await dir.getDirectoryHandle(part);
    } catch (error) {
      throw new Error(describeMissing(error, path, 'directory'));
    }
  }
  return dir;
}

function describeMissing(error: unknown, path: string, kind: 'file' | 'directory'): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'TypeMismatchError') return `"${path}" is not a ${kind}`;
  if (name === 'NotFoundError') return `no ${kind} "${path}"`;
  return `cannot open "${path}": ${error instanceof Error ? error.message : String(error)}`;
}

/** A Workspace over any directory handle: an OPFS folder, or a folder on the user's disk opened
 *  with showDirectoryPicker (the same handle API; such a folder also needs access granted, which
 *  the caller checks, see src/core/workspaceResolver.ts guardAccess). */
export function createOpfsWorkspace(id: string, root: Dir): Workspace {
  return {
    id,
    async list(path, depth) {
      const base = resolveWorkspacePath(path);
      const start = await walkTo(root, base);
      const entries: WorkspaceEntry[] = [];
      const visit = async (dir: Dir, prefix: string, level: number) => {
        const children: [string, FileSystemHandle][] = [];
        for await (const entry of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) children.push(entry);
        children.sort(([a], [b]) => a.localeCompare(b));
        for (const [name, handle] of children) {
          const p = prefix ? `${prefix}/${name}` : name;
          if (handle.kind === 'directory') {
            entries.push({ path: p, kind: 'directory' });
            if (level < depth) await visit(handle as Dir, p, level + 1);
          } else {
            const file = await (handle as FileSystemFileHandle).getFile();
            entries.push({ path: p, kind: 'file', size: file.size });
          }
        }
      };
      await visit(start, base, 1);
      return entries;
    },
    async readText(path) {
      const p = resolveWorkspacePath(path);
      const slash = p.lastIndexOf('/');
      const dir = await walkTo(root, slash === -1 ? '' : p.slice(0, slash));
      try {
        const handle = await dir.getFileHandle(p.slice(slash + 1));
        return await (await handle.getFile()).text();
      } catch (error) {
        throw new Error(describeMissing(error, p, 'file'));
      }
    },
    async writeText(path, text) {
      const p = resolveWorkspacePath(path);
      if (p === '') throw new Error('"" is a directory');
      await writeFile(root, p, text);
    },
    async remove(path) {
      const p = resolveWorkspacePath(path);
      // removeEntry would also delete an empty directory of that name: make sure it is a file.
      const kind = await entryKind(root, p);
      if (kind !== 'file') throw new Error(kind === 'directory' ? `"${p}" is a directory` : `no file "${p}"`);
      const slash = p.lastIndexOf('/');
      const dir = await walkTo(root, slash === -1 ? '' : p.slice(0, slash));
      await dir.removeEntry(p.slice(slash + 1));
    },
    async exists(path) {
      return entryKind(root, resolveWorkspacePath(path));
    },
    async removeEmptyDirectory(path) {
      const p = resolveWorkspacePath(path);
      if (p === '' || (await entryKind(root, p)) !== 'directory') return false;
      const slash = p.lastIndexOf('/');
      const parent = await walkTo(root, slash === -1 ? '' : p.slice(0, slash));
      try {
        // Without { recursive: true } removeEntry refuses a directory that is not empty.
        await parent.removeEntry(p.slice(slash + 1));
        return true;
      } catch (error) {
        if (error instanceof DOMException && error.name === 'InvalidModificationError') return false;
        throw error;
      }
    },
  };
}

async function entryKind(root: Dir, path: string): Promise<'file' | 'directory' | null> {
  const parts = path.split('/').filter(Boolean);
  let dir = root;
  for (const [i, part] of parts.entries()) {
    try {
      dir = await dir.getDirectoryHandle(part);
    } catch (error) {
      // getDirectoryHandle on a file is a TypeMismatchError: for the last part, that is the answer.
      const isFile = error instanceof DOMException && error.name === 'TypeMismatchError';
      return isFile && i === parts.length - 1 ? 'file' : absentOrThrow(error);
    }
  }
  return 'directory';
}

/** For exists(): a missing entry, or a path through a file, is "nothing there"; other errors
 *  (a revoked permission, a broken storage) must not pass for absence. */
function absentOrThrow(error: unknown): null {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotFoundError' || name === 'TypeMismatchError') return null;
  throw error;
}

/** Files a brand-new default workspace starts with, so the agent's tools have something to show. */
const STARTER_FILES: Record<string, string> = {
  'README.md': '# Scratch workspace\n\nThis folder lives in your browser (OPFS). The agent can list and read files here.\n',
  'src/hello.js': "export function hello(name) {\n  return `Hello, ${name}!`;\n}\n",
};

/** Writes `text` (or a Blob's bytes, for imports) to a workspace-relative path, creating parent
 *  directories. The writable stream writes to a swap file that replaces the file only on
 *  close(), so a failed write leaves the old content; abort() discards the swap file. */
export async function writeFile(root: Dir, path: string, text: string | Blob) {
  const parts = path.split('/');
  let dir = root;
  for (const [i, part] of parts.slice(0, -1).entries()) {
    try {
      dir = await dir.getDirectoryHandle(part, { create: true });
    } catch (error) {
      throw new Error(`cannot create "${path}": ${describeMissing(error, parts.slice(0, i + 1).join('/'), 'directory')}`);
    }
  }
  let handle: FileSystemFileHandle;
  try {
    handle = await dir.getFileHandle(parts.at(-1)!, { create: true });
  } catch (error) {
    throw new Error(`cannot write "${path}": ${describeMissing(error, path, 'file')}`);
  }
  const writable = await handle.createWritable();
  try {
    await writable.write(text);
    await writable.close();
  } catch (error) {
    await writable.abort().catch(() => undefined);
    throw error;
  }
}

/** The OPFS folder that holds every OPFS workspace, one sub-folder per workspace id. */
export const WORKSPACES_FOLDER = 'workspaces';

/** An OPFS workspace's folder is named by its id (never by its display name, which may change). */
export function opfsFolderName(id: string): string {
  if (id === '' || id === '.' || id === '..' || /[/\\\0]/.test(id)) throw new Error(`"${id}" cannot name a workspace folder`);
  return id;
}

/** `workspaces/<id>` in OPFS, created when missing (the default one with its starter files).
 *  With `createMissing: false` a missing folder (a workspace deleted meanwhile) is an error
 *  instead, except for the default one, which always exists. */
export async function openOpfsWorkspaceRoot(storage: StorageManager, id: string, options: { createMissing?: boolean } = {}): Promise<Dir> {
  const opfs = await storage.getDirectory();
  const workspaces = await opfs.getDirectoryHandle(WORKSPACES_FOLDER, { create: true });
  const name = opfsFolderName(id);
  try {
    return await workspaces.getDirectoryHandle(name);
  } catch (error) {
    if (options.createMissing === false && id !== DEFAULT_WORKSPACE_ID) {
      if (error instanceof DOMException && error.name === 'NotFoundError') throw new Error('its folder is gone (the workspace was deleted)');
      throw error;
    }
    const root = await workspaces.getDirectoryHandle(name, { create: true });
    if (id === DEFAULT_WORKSPACE_ID) for (const [path, text] of Object.entries(STARTER_FILES)) await writeFile(root, path, text);
    return root;
  }
}

/** The OPFS workspace `id` (see openOpfsWorkspaceRoot). */
export async function openOpfsWorkspace(storage: StorageManager, id: string): Promise<Workspace> {
  return createOpfsWorkspace(id, await openOpfsWorkspaceRoot(storage, id));
}
