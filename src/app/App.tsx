import { useEffect, useState } from 'react';
import { Inspector } from './Inspector.tsx';
import { useThreadData, useThreadList } from './queries.ts';
import { navigate, threadPath, useRoute } from './route.ts';
import { useServices } from './ServicesContext.ts';
import { Sidebar } from './Sidebar.tsx';
import { createThread, renameThread, sendMessage } from './threadActions.ts';
import { ThreadHeader } from './ThreadHeader.tsx';
import { ThreadPane } from './ThreadPane.tsx';

/** Layout: threads | header + transcript + composer | inspector. */
export function App() {
  const services = useServices();
  const route = useRoute();
  const threadList = useThreadList();
  const routeThreadId = route.kind === 'thread' ? route.threadId : null;
  const threadData = useThreadData(routeThreadId);
  const [focusToken, setFocusToken] = useState(0);

  const thread = threadData.data?.thread;
  const notFound = routeThreadId !== null && threadData.isSuccess && thread === undefined;
  // Sending without an open thread creates one first.
  const threadId = routeThreadId !== null && !notFound ? routeThreadId : null;

  // `/` (or an unknown path) shows the newest thread.
  const newest = threadList.data?.[0]?.id;
  useEffect(() => {
    if (route.kind === 'thread' || !threadList.isSuccess) return;
    if (newest !== undefined) navigate(threadPath(newest), { replace: true });
    else if (route.kind === 'unknown') navigate('/', { replace: true });
  }, [route.kind, threadList.isSuccess, newest]);

  useEffect(() => {
    if (threadId !== null && thread !== undefined) services.openThread(threadId);
  }, [services, threadId, thread]);

  const title = thread?.title ?? null;
  useEffect(() => {
    document.title = title ? `${title} — Switchboard` : 'Switchboard';
  }, [title]);

  const newThread = async () => {
    const created = await createThread(services);
    navigate(threadPath(created.id));
    setFocusToken((n) => n + 1);
    return created.id;
  };

  const onSend = async (text: string) => {
    const id = threadId ?? (await newThread());
    await sendMessage(services, id, text);
  };

  const onStop = async () => {
    if (threadId !== null) await services.broker.call('stop', { threadId });
  };

  const emptyMessage = notFound
    ? 'This thread does not exist in this browser. Send a message to start a new one.'
    : threadData.isError
      ? `Could not read this thread: ${String(threadData.error)}`
      : threadId === null
        ? threadList.isPending
          ? 'Loading…'
          : 'No thread open. Type a message to start one, or press “New thread”.'
        : threadData.isPending
          ? 'Loading…'
          : 'A new thread. Ask the agent something.';

  return (
    <div className="app">
      <Sidebar activeId={threadId} onNewThread={() => void newThread()} />
      <main className="main">
        <ThreadHeader title={title} onRename={threadId ? (t) => renameThread(services, threadId, t) : undefined} />
        <ThreadPane
          threadId={threadId}
          data={threadId === null ? undefined : threadData.data}
          emptyMessage={emptyMessage}
          onSend={onSend}
          onStop={onStop}
          focusToken={focusToken}
        />
      </main>
      <Inspector />
    </div>
  );
}
