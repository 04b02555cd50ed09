// What tabs read from IndexedDB, through TanStack Query. The broker writes; a `thread.changed`
// event (or a seq gap, or another tab) invalidates these keys.
import { useQuery } from '@tanstack/react-query';
import type { ItemRecord, ThreadRecord, ThreadStore, TurnRecord } from '../core/threadStore.ts';
import { useServices } from './ServicesContext.ts';

export const threadsKey = ['threads'] as const;
export const threadKey = (threadId: string) => ['thread', threadId] as const;

export interface ThreadData {
  thread: ThreadRecord | undefined;
  turns: TurnRecord[];
  items: ItemRecord[];
}

/** A store that can read a thread in one transaction, reading only the items after those of a
 *  snapshot it is given (the IndexedDB one can). */
export type ReadableThreadStore = ThreadStore & { readThread?(id: string, known?: ThreadData): Promise<ThreadData> };

/** The thread as stored; `known`, what this tab read of it before, spares reading its items again. */
export async function loadThread(store: ReadableThreadStore, threadId: string, known?: ThreadData): Promise<ThreadData> {
  if (store.readThread) return store.readThread(threadId, known);
  const [thread, turns, items] = await Promise.all([
    store.getThread(threadId),
    store.listTurns(threadId),
    store.listItems(threadId),
  ]);
  return { thread, turns, items };
}

export function useThreadList() {
  const { threads } = useServices();
  return useQuery({ queryKey: threadsKey, queryFn: () => threads.listThreads() });
}

const newestId = (list: ThreadRecord[]) => list[0]?.id ?? null;

/** The newest thread's id, from the same read as the list: a component that needs only this
 *  re-renders when it changes, not whenever a thread's title or order does. */
export function useNewestThreadId() {
  const { threads } = useServices();
  return useQuery({ queryKey: threadsKey, queryFn: () => threads.listThreads(), select: newestId });
}

export function useThreadData(threadId: string | null) {
  const { threads, queryClient } = useServices();
  return useQuery({
    queryKey: threadKey(threadId ?? ''),
    queryFn: () => loadThread(threads, threadId!, queryClient.getQueryData<ThreadData>(threadKey(threadId!))),
    enabled: threadId !== null,
  });
}
