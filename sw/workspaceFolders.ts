// Folder-level operations on workspaces, over the File System Access handle API: creating and
// removing OPFS workspace folders, reaching a workspace's root (OPFS by id, or a local folder's
// saved handle), its access state, importing files, reading everything for a zip and reading one
// file for the viewer. No DOM beyond the handles, so both the page and the broker worker use it.
import { resolveWorkspacePath } from '../src/core/workspace.ts';
import { formatBytes, type ImportPlan, type ImportSource } from '../src/core/workspaceImport.ts';
import { refuseDeletingDefault, type DirectoryHandleRef, type WorkspaceRecord } from '../src/core/workspaceRegistry.ts';
import type { AccessState } from '../src/core/workspaceResolver.ts';
import type { WorkspaceSnapshot } from '../src/core/workspaceZip.ts';
import { opfsFolderName, openOpfsWorkspaceRoot, WORKSPACES_FOLDER, writeFile } from './opfsWorkspace.ts';

type Dir = FileSystemDirectoryHandle;

/** The permission half of the File System Access API, missing from TypeScript's DOM types (and
 *  from OPFS handles in some browsers: there, access is always granted). */
interface PermissionedHandle {
  queryPermission?(descriptor: { mode: 'readwrite' }): Promise<AccessState>;
  requestPermission?(descriptor: { mode: 'readwrite' }): Promise<AccessState>;
}

/** The registry carries handles opaquely (src/core/workspaceRegistry.ts); here they are real. */
export function asDirectoryHandle(ref: DirectoryHandleRef): Dir {
  return ref as unknown as Dir;
}

export function toHandleRef(handle: Dir): DirectoryHandleRef {
  return handle as unknown as DirectoryHandleRef;
}

/** Whether read-write access to the folder is granted now. Answers without asking the user, so
 *  it works in the worker too. */
export async function queryAccess(handle: Dir): Promise<AccessState> {
  const query = (handle as unknown as PermissionedHandle).queryPermission;
  return query ? query.call(handle, { mode: 'readwrite' }) : 'granted';
}

/** Asks the user for read-write access (a page only, from a click: it needs a user gesture). */
export async function requestAccess(handle: Dir): Promise<AccessState> {
  const request = (handle as unknown as PermissionedHandle).requestPermission;
  return request ? request.call(handle, { mode: 'readwrite' }) : 'granted';
}

/** Deletes an OPFS workspace's folder with everything in it; a folder already gone is fine.
 *  (A new workspace's folder is made by openOpfsWorkspaceRoot, like any missing one.) */
export async function removeOpfsWorkspaceFolder(storage: StorageManager, id: string): Promise<void> {
  refuseDeletingDefault(id);
  try {
    const workspaces = await (await storage.getDirectory()).getDirectoryHandle(WORKSPACES_FOLDER, { create: true });
    await workspaces.removeEntry(opfsFolderName(id), { recursive: true });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'NotFoundError') return;
    throw error;
  }
}

/** The root folder of a workspace: OPFS `workspaces/<id>`, or a local folder's saved handle.
 *  `createMissing` (default true) recreates a missing OPFS folder; the page passes false, so a
 *  tab still showing a workspace that another tab just deleted does not bring its folder back. */
export async function openWorkspaceRoot(storage: StorageManager, record: WorkspaceRecord, options: { createMissing?: boolean } = {}): Promise<Dir> {
  if (record.kind === 'local') {
    if (!record.handle) throw new Error(`The workspace "${record.name}" has lost its folder; delete it and open the folder again.`);
    return asDirectoryHandle(record.handle);
  }
  return openOpfsWorkspaceRoot(storage, record.id, options);
}

async function childEntries(dir: Dir): Promise<[string, FileSystemHandle][]> {
  const children: [string, FileSystemHandle][] = [];
  for await (const entry of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) children.push(entry);
  return children.sort(([a], [b]) => a.localeCompare(b));
}

/** The most Download zip reads: the zip is built in memory. */
export const MAX_ZIP_BYTES = 200 * 1024 * 1024;
export const MAX_ZIP_FILES = 20_000;

/** Every file's bytes (and the empty directories), depth-first, for a zip. Throws a message for
 *  the user, before reading everything, when the workspace is over a cap. */
export async function readAllFiles(root: Dir, limits = { maxBytes: MAX_ZIP_BYTES, maxFiles: MAX_ZIP_FILES }): Promise<WorkspaceSnapshot> {
  const snapshot: WorkspaceSnapshot = { files: [], emptyDirectories: [] };
  let total = 0;
  const visit = async (dir: Dir, prefix: string) => {
    const children = await childEntries(dir);
    if (children.length === 0 && prefix !== '') snapshot.emptyDirectories.push(prefix);
    for (const [name, handle] of children) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (handle.kind === 'directory') {
        await visit(handle as Dir, path);
        continue;
      }
      const file = await (handle as FileSystemFileHandle).getFile();
      total += file.size;
      if (snapshot.files.length + 1 > limits.maxFiles || total > limits.maxBytes) {
        throw new Error(`This workspace is too large to download as a zip here: a zip takes at most ${limits.maxFiles.toLocaleString('en')} files and ${formatBytes(limits.maxBytes)}.`);
      }
      snapshot.files.push({ path, bytes: new Uint8Array(await file.arrayBuffer()), lastModified: file.lastModified });
    }
  };
  await visit(root, '');
  return snapshot;
}

export interface ImportOutcome {
  written: number;
  failed: { path: string; reason: string }[];
}

/** How many files are written at once: OPFS writes are cheap, but thousands at once are not. */
const IMPORT_CONCURRENCY = 4;

/** Writes a planned import (src/core/workspaceImport.ts) into a workspace, replacing files at
 *  the same paths. A file that cannot be written (a directory there, say) is reported, and the
 *  others are written anyway. */
export async function writeImportedFiles<T extends ImportSource & Blob>(root: Dir, plan: ImportPlan<T>): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { written: 0, failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < plan.files.length) {
      const { path, source } = plan.files[next++]!;
      try {
        await writeFile(root, path, source);
        outcome.written++;
      } catch (error) {
        outcome.failed.push({ path, reason: error instanceof Error ? error.message : String(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(IMPORT_CONCURRENCY, plan.files.length) }, worker));
  outcome.failed.sort((a, b) => a.path.localeCompare(b.path));
  return outcome;
}

/** The most of one file the viewer reads. */
export const MAX_PREVIEW_BYTES = 256 * 1024;

export interface FilePreview {
  size: number;
  /** The file's text, or its first MAX_PREVIEW_BYTES decoded; '' for a binary file. */
  text: string;
  /** True when `text` is only the start of the file: its first `maxBytes`. */
  cut: boolean;
  /** The file holds NUL bytes: it is not text, and is not shown. */
  binary: boolean;
}

/** One file for the viewer: its start when it is big, nothing when it is binary. */
export async function readFilePreview(root: Dir, rawPath: string, maxBytes = MAX_PREVIEW_BYTES): Promise<FilePreview> {
  const path = resolveWorkspacePath(rawPath);
  const parts = path.split('/');
  let dir = root;
  try {
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
    const file = await (await dir.getFileHandle(parts.at(-1)!)).getFile();
    const bytes = new Uint8Array(await file.slice(0, maxBytes).arrayBuffer());
    // A NUL in the first few KB is the usual test for "not text" (git does the same).
    if (bytes.subarray(0, 8000).includes(0)) return { size: file.size, text: '', cut: false, binary: true };
    return { size: file.size, text: new TextDecoder().decode(bytes), cut: file.size > maxBytes, binary: false };
  } catch (error) {
    const name = error instanceof DOMException ? error.name : '';
    if (name === 'NotFoundError' || name === 'TypeMismatchError') throw new Error(`"${path}" is no longer in the workspace.`);
    throw error;
  }
}
