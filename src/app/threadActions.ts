// Thread operations a tab performs itself: creating, renaming, deleting, exporting and importing
// live in IndexedDB directly (the broker records turns and items, and titles a new thread from
// its first message); sending, retrying and stopping go to the broker.
import type { ThreadRecord } from '../core/threadStore.ts';
import {
  archiveFileName,
  archiveToMarkdown,
  createArchive,
  MAX_ARCHIVE_BYTES,
  parseArchive,
  serializeArchive,
  type StoredThread,
} from '../storage/threadArchive.ts';
import { threadKey, threadsKey, type ThreadData } from './queries.ts';
import type { Services } from './ServicesContext.ts';

export const NEW_THREAD_TITLE = 'New thread';

export async function createThread(services: Services): Promise<ThreadRecord> {
  const now = Date.now();
  const thread: ThreadRecord = { id: crypto.randomUUID(), title: NEW_THREAD_TITLE, createdAt: now, updatedAt: now };
  await services.threads.putThread(thread);
  services.queryClient.setQueryData<ThreadData>(threadKey(thread.id), { thread, turns: [], items: [] });
  await services.queryClient.invalidateQueries({ queryKey: threadsKey });
  services.announceThreadChange(thread.id);
  return thread;
}

export async function renameThread(services: Services, threadId: string, title: string): Promise<void> {
  const current = await services.threads.getThread(threadId);
  if (!current || current.title === title) return;
  // Merged in one transaction: the broker may be saving the thread's policy at the same moment.
  await services.threads.updateThread(threadId, (latest) => ({ ...(latest ?? current), title, updatedAt: Date.now() }));
  await Promise.all([
    services.queryClient.invalidateQueries({ queryKey: threadsKey }),
    services.queryClient.invalidateQueries({ queryKey: threadKey(threadId) }),
  ]);
  services.announceThreadChange(threadId);
}

/** Deletes a thread with its turns and items. The broker forgets it first (stopping a turn that
 *  runs in it), so it neither writes into a thread that is gone nor reuses its history. */
export async function deleteThread(services: Services, threadId: string): Promise<void> {
  await services.broker.call('forgetThread', { threadId });
  await services.threads.deleteThread(threadId);
  services.queryClient.removeQueries({ queryKey: threadKey(threadId) });
  await services.queryClient.invalidateQueries({ queryKey: threadsKey });
  services.announceThreadChange(threadId);
}

/** Sends a message; resolves once the broker accepted the turn, rejects with its reason. */
export async function sendMessage(services: Services, threadId: string, text: string): Promise<void> {
  services.openThread(threadId); // posted before startTurn, so the broker sees them in order
  const turnId = crypto.randomUUID();
  // The broker titles a 'New thread' from its first message when it records the turn.
  await services.broker.call('startTurn', { tabId: services.tabId, threadId, turnId, text });
}

// ---- export / import ----

export interface ExportFile {
  name: string;
  type: string;
  text: string;
}

const MIME = { json: 'application/json', md: 'text/markdown' } as const;

async function readStored(services: Services, threadId: string): Promise<StoredThread | null> {
  const { thread, turns, items } = await services.threads.readThread(threadId);
  return thread ? { thread, turns, items } : null;
}

/** One thread, or every thread (newest first), as a file to download. */
export async function exportThreads(services: Services, scope: { threadId: string } | 'all', kind: 'json' | 'md', now = new Date()): Promise<ExportFile> {
  let stored: StoredThread[];
  if (scope === 'all') {
    const list = await services.threads.listThreads();
    stored = (await Promise.all(list.map((t) => readStored(services, t.id)))).filter((s) => s !== null);
  } else {
    const one = await readStored(services, scope.threadId);
    if (!one) throw new Error('This thread no longer exists.');
    stored = [one];
  }
  if (stored.length === 0) throw new Error('There are no threads to export.');
  const archive = createArchive(stored, now);
  const name = archiveFileName(kind, scope === 'all' ? 'all' : { title: stored[0]!.thread.title }, now);
  return { name, type: MIME[kind], text: kind === 'json' ? serializeArchive(archive) : archiveToMarkdown(archive) };
}

export interface ImportResult {
  /** Ids of the imported threads, as stored (after any renaming), in file order. */
  threadIds: string[];
  /** How many came in under a new id because theirs was taken. */
  renamed: number;
}

/** Imports a file exported by Switchboard; throws with a message for the user when it refuses
 *  the file. Either every thread is written or none (one transaction). */
export async function importThreads(services: Services, file: Blob): Promise<ImportResult> {
  if (file.size > MAX_ARCHIVE_BYTES) throw new Error(`This file is too large to import (the limit is ${MAX_ARCHIVE_BYTES / 1024 / 1024} MB).`);
  const parsed = parseArchive(await file.text());
  if (!parsed.ok) throw new Error(parsed.error);
  const plan = await services.threads.importArchive(parsed.archive, () => crypto.randomUUID());
  await services.queryClient.invalidateQueries({ queryKey: threadsKey });
  for (const t of plan.threads) services.announceThreadChange(t.thread.id);
  return { threadIds: plan.threads.map((t) => t.thread.id), renamed: plan.renamed.length };
}

/** Saves an export through the browser's download. */
export function downloadFile(file: ExportFile): void {
  downloadBlob(file.name, new Blob([file.text], { type: `${file.type};charset=utf-8` }));
}

/** Saves a Blob through the browser's download (a Blob URL on an `<a download>`). */
export function downloadBlob(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has started once click() returns; free the URL after the browser read it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
