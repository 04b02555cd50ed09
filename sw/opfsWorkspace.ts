// A Workspace backed by the Origin Private File System: works in the SharedWorker, needs no
// permission prompt, and survives reloads.
import { resolveWorkspacePath, type Workspace, type WorkspaceEntry } from '../src/core/workspace.ts';

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
  };
}

/** Files a brand-new default workspace starts with, so the agent's tools have something to show. */
const STARTER_FILES: Record<string, string> = {
  'README.md': '# Scratch workspace\n\nThis folder lives in your browser (OPFS). The agent can list and read files here.\n',
  'src/hello.js': "export function hello(name) {\n  return `Hello, ${name}!`;\n}\n",
};

async function writeFile(root: Dir, path: string, text: string) {
  const parts = path.split('/');
  let dir = root;
  for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part, { create: true });
  const handle = await dir.getFileHandle(parts.at(-1)!, { create: true });
  const writable = await handle.createWritable();
  await writable.write(text);
  await writable.close();
}

/** The workspace a thread uses when none was chosen: `workspaces/default` in OPFS. */
export async function openDefaultWorkspace(storage: StorageManager): Promise<Workspace> {
  const opfs = await storage.getDirectory();
  const workspaces = await opfs.getDirectoryHandle('workspaces', { create: true });
  let root: Dir;
  try {
    root = await workspaces.getDirectoryHandle('default');
  } catch {
    root = await workspaces.getDirectoryHandle('default', { create: true });
    for (const [path, text] of Object.entries(STARTER_FILES)) await writeFile(root, path, text);
  }
  return createOpfsWorkspace('default', root);
}
