// Workspace operations a tab performs itself: the registry lives in IndexedDB and the files in
// OPFS or a local folder, both reachable from the page. The broker is told only what changes
// its tools' view: a thread's binding (`bindWorkspace`, which drops its cached workspace).
import {
  asDirectoryHandle,
  readAllFiles,
  removeOpfsWorkspaceFolder,
  requestAccess,
  toHandleRef,
  writeImportedFiles,
} from '../../sw/workspaceFolders.ts';
import { openOpfsWorkspaceRoot } from '../../sw/opfsWorkspace.ts';
import { formatBytes, planWorkspaceImport } from '../core/workspaceImport.ts';
import { cleanWorkspaceName, DEFAULT_WORKSPACE_ID, type WorkspaceRecord } from '../core/workspaceRegistry.ts';
import type { AccessState } from '../core/workspaceResolver.ts';
import { zipFileName, zipWorkspace } from '../core/workspaceZip.ts';
import { threadKey, threadsKey } from './queries.ts';
import { downloadBlob } from './threadActions.ts';
import type { Services } from './ServicesContext.ts';
import { accessKey, workspaceContentKey, workspaceFilesKey, workspaceListKey } from './workspaceQueries.ts';
import type { WorkspaceSync } from './workspaceSync.ts';

export interface WorkspaceActionDeps {
  services: Services;
  sync: WorkspaceSync;
  storage: StorageManager;
}

// Announce first: the broker drops what it remembered of the files as soon as it hears, and
// must not answer a tool call from the old contents while this tab re-reads its own views.
async function listChanged({ services, sync }: WorkspaceActionDeps): Promise<void> {
  sync.announce(null);
  await services.queryClient.invalidateQueries({ queryKey: workspaceListKey });
}

async function filesChanged({ services, sync }: WorkspaceActionDeps, workspaceId: string): Promise<void> {
  sync.announce(workspaceId);
  await services.queryClient.invalidateQueries({ queryKey: workspaceContentKey(workspaceId) });
}

/** A new, empty OPFS workspace. */
export async function createWorkspace(deps: WorkspaceActionDeps, rawName: string): Promise<WorkspaceRecord> {
  const record: WorkspaceRecord = { id: crypto.randomUUID(), name: cleanWorkspaceName(rawName), kind: 'opfs', createdAt: Date.now() };
  // The folder first: a record never names a folder that is not there.
  await openOpfsWorkspaceRoot(deps.storage, record.id); // makes the new workspace's empty folder
  await deps.services.threads.putWorkspace(record);
  await listChanged(deps);
  return record;
}

/** Changes the display name only: an OPFS folder stays named by the id, a local folder as it is. */
export async function renameWorkspace(deps: WorkspaceActionDeps, record: WorkspaceRecord, rawName: string): Promise<void> {
  const name = cleanWorkspaceName(rawName);
  const current = (await deps.services.threads.getWorkspace(record.id)) ?? record;
  if (current.name === name) return;
  await deps.services.threads.putWorkspace({ ...current, name });
  await listChanged(deps);
}

/**
 * Deletes a workspace: its record, with the threads bound to it falling back to the default
 * (one transaction), then the broker forgets their cached workspace, then an OPFS folder is
 * removed with its files. A local folder's files are never touched: only the record goes.
 */
export async function deleteWorkspace(deps: WorkspaceActionDeps, record: WorkspaceRecord): Promise<{ unboundThreads: string[] }> {
  const { services } = deps;
  const result = await services.threads.deleteWorkspace(record.id);
  // A broker that is down starts its successor with an empty cache: nothing to forget then.
  await Promise.all(result.unboundThreads.map((threadId) => services.broker.call('bindWorkspace', { threadId }).catch(() => undefined)));
  // Threads (this tab's first) show their new workspace before the old one's folder goes.
  await Promise.all([listChanged(deps), services.queryClient.invalidateQueries({ queryKey: threadsKey }), ...result.unboundThreads.map((id) => services.queryClient.invalidateQueries({ queryKey: threadKey(id) }))]);
  for (const id of result.unboundThreads) services.announceThreadChange(id);
  if (record.kind === 'opfs') await removeOpfsWorkspaceFolder(deps.storage, record.id);
  services.queryClient.removeQueries({ queryKey: workspaceFilesKey(record.id) });
  deps.sync.announce(record.id);
  return result;
}

/** Binds a thread to a workspace (the default: no workspaceId at all) and has the broker's
 *  tools use it from their next call on. Not while a turn runs in the thread (the caller checks). */
export async function bindThreadToWorkspace(services: Services, threadId: string, workspaceId: string): Promise<void> {
  const current = await services.threads.getThread(threadId);
  if (!current || (current.workspaceId ?? DEFAULT_WORKSPACE_ID) === workspaceId) return;
  // Merged in one transaction: the broker may be saving the thread's title or policy meanwhile.
  await services.threads.updateThread(threadId, (latest) => {
    const { workspaceId: _previous, ...rest } = latest ?? current;
    return workspaceId === DEFAULT_WORKSPACE_ID ? rest : { ...rest, workspaceId };
  });
  // If the broker is down, its successor reads the binding afresh anyway.
  await services.broker.call('bindWorkspace', { threadId }).catch(() => undefined);
  await services.queryClient.invalidateQueries({ queryKey: threadKey(threadId) });
  services.announceThreadChange(threadId);
}

// ---- local folders (File System Access API) ----

type DirectoryPicker = (options: { mode: 'readwrite' }) => Promise<FileSystemDirectoryHandle>;

function directoryPicker(): DirectoryPicker | null {
  const picker = (globalThis as { showDirectoryPicker?: DirectoryPicker }).showDirectoryPicker;
  return typeof picker === 'function' ? picker.bind(globalThis) : null;
}

/** Whether this browser can open a folder from the disk (Chromium-based desktop browsers can). */
export const folderPickerAvailable = () => directoryPicker() !== null;

/** Asks the user for a folder and registers it; the same folder again reuses its workspace.
 *  Resolves null when the user cancelled the picker. Must run from a click. */
export async function openLocalFolder(deps: WorkspaceActionDeps): Promise<WorkspaceRecord | null> {
  const picker = directoryPicker();
  if (!picker) throw new Error('This browser cannot open folders from your disk.');
  let handle: FileSystemDirectoryHandle;
  try {
    handle = await picker({ mode: 'readwrite' });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') return null;
    throw error;
  }
  for (const known of await deps.services.threads.listWorkspaces()) {
    if (known.kind === 'local' && known.handle && (await asDirectoryHandle(known.handle).isSameEntry(handle))) {
      // Picking it granted access again: whatever showed "Grant access" can re-check.
      await deps.services.queryClient.invalidateQueries({ queryKey: accessKey(known.id) });
      return known;
    }
  }
  const record: WorkspaceRecord = { id: crypto.randomUUID(), name: handle.name, kind: 'local', createdAt: Date.now(), handle: toHandleRef(handle) };
  await deps.services.threads.putWorkspace(record);
  await listChanged(deps);
  return record;
}

/** Asks the user to let Switchboard use the folder again (needs a click). Every tab and the
 *  broker see the new permission at once: it belongs to the origin. */
export async function grantAccess(deps: WorkspaceActionDeps, record: WorkspaceRecord, root: FileSystemDirectoryHandle): Promise<AccessState> {
  const state = await requestAccess(root);
  await deps.services.queryClient.invalidateQueries({ queryKey: workspaceFilesKey(record.id) });
  deps.sync.announce(record.id);
  return state;
}

// ---- import and download ----

/** Imports files (or a folder's files, with their relative paths) into the workspace's root and
 *  says what happened, for the user. Throws, writing nothing, when the import is over a cap. */
export async function importIntoWorkspace(deps: WorkspaceActionDeps, record: WorkspaceRecord, root: FileSystemDirectoryHandle, files: readonly File[]): Promise<string> {
  const plan = planWorkspaceImport(files);
  const outcome = await writeImportedFiles(root, plan);
  await filesChanged(deps, record.id);
  const parts = [`Imported ${outcome.written} ${outcome.written === 1 ? 'file' : 'files'} (${formatBytes(plan.totalBytes)}) into “${record.name}”.`];
  const problems = [...plan.skipped.map((s) => `${s.name || '(unnamed)'}: ${s.reason}`), ...outcome.failed.map((f) => `${f.path}: ${f.reason}`)];
  if (problems.length > 0) {
    const shown = problems.slice(0, 3).join('; ');
    parts.push(`${problems.length} not imported — ${shown}${problems.length > 3 ? `; and ${problems.length - 3} more` : ''}.`);
  }
  return parts.join(' ');
}

/** Every file of the workspace as `<name>.zip`, through the browser's download. */
export async function downloadWorkspaceZip(record: WorkspaceRecord, root: FileSystemDirectoryHandle): Promise<number> {
  const snapshot = await readAllFiles(root);
  const zip = zipWorkspace(snapshot);
  downloadBlob(zipFileName(record.name), new Blob([zip as BlobPart], { type: 'application/zip' }));
  return snapshot.files.length;
}
