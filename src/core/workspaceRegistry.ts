// Which workspaces exist: the user's named folders of files that threads work on. Persisted in
// IndexedDB (`workspaces` store) beside the threads; a thread names its workspace by id
// (ThreadRecord.workspaceId, absent = the default one). Pure: no DOM. The folder handle of a
// local workspace is carried opaquely, as the structured-clonable value IndexedDB gives back;
// only sw/ code, which knows the File System Access API, looks inside it.
import type { ThreadStore } from './threadStore.ts';

/** `opfs`: a folder in the browser's private file system, `workspaces/<id>`. `local`: a folder on
 *  the user's disk, opened with showDirectoryPicker and reached through its saved handle. */
export type WorkspaceKind = 'opfs' | 'local';

/** A FileSystemDirectoryHandle, seen from code that must not depend on the DOM's types. */
export interface DirectoryHandleRef {
  readonly kind: 'directory';
  readonly name: string;
}

export interface WorkspaceRecord {
  id: string;
  /** What the user calls it; renaming changes only this (an OPFS folder stays named by id). */
  name: string;
  kind: WorkspaceKind;
  createdAt: number;
  /** For `local`: the folder's handle. Access to it must be granted again after a restart. */
  handle?: DirectoryHandleRef;
}

/** The workspace of every thread that names none (or names one that was deleted). It always
 *  exists: reads synthesise it when nothing is stored under its id, and it cannot be deleted. */
export const DEFAULT_WORKSPACE_ID = 'default';
export const DEFAULT_WORKSPACE_NAME = 'Default';

export function defaultWorkspaceRecord(): WorkspaceRecord {
  // createdAt 0 sorts it first and marks it as never created by the user.
  return { id: DEFAULT_WORKSPACE_ID, name: DEFAULT_WORKSPACE_NAME, kind: 'opfs', createdAt: 0 };
}

/** The workspace id a thread uses. */
export function threadWorkspaceId(thread: { workspaceId?: string } | undefined): string {
  return thread?.workspaceId ?? DEFAULT_WORKSPACE_ID;
}

export const MAX_WORKSPACE_NAME_LENGTH = 80;

/** A name as typed, trimmed and checked; throws a message for the user. */
export function cleanWorkspaceName(raw: string): string {
  const name = raw.replace(/\s+/g, ' ').trim();
  if (name === '') throw new Error('A workspace needs a name.');
  if (name.length > MAX_WORKSPACE_NAME_LENGTH) throw new Error(`A workspace name can be at most ${MAX_WORKSPACE_NAME_LENGTH} characters long.`);
  return name;
}

export interface WorkspaceRegistry {
  /** Every workspace, the default first, then oldest first. */
  listWorkspaces(): Promise<WorkspaceRecord[]>;
  getWorkspace(id: string): Promise<WorkspaceRecord | undefined>;
  putWorkspace(record: WorkspaceRecord): Promise<void>;
  /**
   * Deletes the record (never the files: the caller removes an OPFS folder after this) and, in
   * the same step, unbinds the threads that used it, so they fall back to the default. Returns
   * those threads' ids (the broker must forget their cached workspace). Refuses the default.
   */
  deleteWorkspace(id: string): Promise<{ unboundThreads: string[] }>;
}

export function sortWorkspaces(records: readonly WorkspaceRecord[]): WorkspaceRecord[] {
  const hasDefault = records.some((r) => r.id === DEFAULT_WORKSPACE_ID);
  const all = hasDefault ? [...records] : [defaultWorkspaceRecord(), ...records];
  return all.sort((a, b) => (a.id === DEFAULT_WORKSPACE_ID ? -1 : b.id === DEFAULT_WORKSPACE_ID ? 1 : a.createdAt - b.createdAt || a.id.localeCompare(b.id)));
}

export function refuseDeletingDefault(id: string): void {
  if (id === DEFAULT_WORKSPACE_ID) throw new Error('The default workspace cannot be deleted.');
}

/** An in-memory registry with the same semantics as the IndexedDB one; for tests. Given the
 *  thread store, deleting a workspace unbinds its threads there too. */
export function createMemoryWorkspaceRegistry(threads?: ThreadStore): WorkspaceRegistry {
  const records = new Map<string, WorkspaceRecord>();
  // Handles are not structured-clonable outside a browser; tests hand in plain objects.
  const copy = (r: WorkspaceRecord): WorkspaceRecord => ({ ...r });
  return {
    async listWorkspaces() {
      return sortWorkspaces([...records.values()].map(copy));
    },
    async getWorkspace(id) {
      const r = records.get(id);
      if (r) return copy(r);
      return id === DEFAULT_WORKSPACE_ID ? defaultWorkspaceRecord() : undefined;
    },
    async putWorkspace(record) {
      records.set(record.id, copy(record));
    },
    async deleteWorkspace(id) {
      refuseDeletingDefault(id);
      records.delete(id);
      const unboundThreads: string[] = [];
      for (const t of (await threads?.listThreads()) ?? []) {
        if (t.workspaceId !== id) continue;
        const { workspaceId: _dropped, ...rest } = t;
        await threads!.putThread(rest);
        unboundThreads.push(t.id);
      }
      return { unboundThreads };
    },
  };
}
