// Thread operations a tab performs itself: creating and renaming live in IndexedDB directly
// (the broker records turns and items, and titles a new thread from its first message);
// sending and stopping go to the broker.
import type { ThreadRecord } from '../core/threadStore.ts';
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
  await services.threads.putThread({ ...current, title, updatedAt: Date.now() });
  await Promise.all([
    services.queryClient.invalidateQueries({ queryKey: threadsKey }),
    services.queryClient.invalidateQueries({ queryKey: threadKey(threadId) }),
  ]);
  services.announceThreadChange(threadId);
}

/** Sends a message; resolves once the broker accepted the turn, rejects with its reason. */
export async function sendMessage(services: Services, threadId: string, text: string): Promise<void> {
  services.openThread(threadId); // posted before startTurn, so the broker sees them in order
  const turnId = crypto.randomUUID();
  // The broker titles a 'New thread' from its first message when it records the turn.
  await services.broker.call('startTurn', { tabId: services.tabId, threadId, turnId, text });
}
