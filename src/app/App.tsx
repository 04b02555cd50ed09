import { useCallback, useEffect, useState } from 'react';
import { hasRunningTurn } from '../core/liveTurns.ts';
import { DEFAULT_APPROVAL_POLICY } from '../core/threadStore.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { DeployBanner } from './DeployBanner.tsx';
import { FilesPanel } from './FilesPanel.tsx';
import { Inspector } from './Inspector.tsx';
import { useNewestThreadId, useThreadData } from './queries.ts';
import { navigate, threadPath, useRoute } from './route.ts';
import { useServices } from './ServicesContext.ts';
import { Sidebar } from './Sidebar.tsx';
import { createThread, deleteThread, downloadFile, exportThreads, importThreads, renameThread, sendMessage } from './threadActions.ts';
import { ThreadHeader } from './ThreadHeader.tsx';
import { ThreadPane } from './ThreadPane.tsx';
import { useLive } from './useLive.ts';

type Notice = { kind: 'error' | 'info'; text: string };

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Layout: [banner] / threads | header + transcript + composer | files | inspector. */
export function App() {
  const services = useServices();
  const route = useRoute();
  // Only the newest id: App renders the whole layout, and another tab's turn reorders the list.
  const threadList = useNewestThreadId();
  const routeThreadId = route.kind === 'thread' ? route.threadId : null;
  const threadData = useThreadData(routeThreadId);
  const [focusToken, setFocusToken] = useState(0);
  const [notice, setNotice] = useState<Notice | null>(null);
  const [confirmingDelete, setConfirmingDelete] = useState(false);

  const thread = threadData.data?.thread;
  const notFound = routeThreadId !== null && threadData.isSuccess && thread === undefined;
  // Sending without an open thread creates one first.
  const threadId = routeThreadId !== null && !notFound ? routeThreadId : null;

  const liveRunning = useLive((s) => (threadId === null ? false : hasRunningTurn(s.threads[threadId])));
  const running = liveRunning || (threadData.data?.turns.some((t) => t.status === 'running') ?? false);

  // `/` (or an unknown path) shows the newest thread.
  const newest = threadList.data;
  useEffect(() => {
    if (route.kind === 'thread' || !threadList.isSuccess) return;
    if (newest != null) navigate(threadPath(newest), { replace: true });
    else if (route.kind === 'unknown') navigate('/', { replace: true });
  }, [route.kind, threadList.isSuccess, newest]);

  // The thread on screen: the broker prewarms it and tells us its running turn (if any).
  const exists = thread !== undefined;
  useEffect(() => {
    services.openThread(threadId !== null && exists ? threadId : null);
  }, [services, threadId, exists]);

  useEffect(() => setConfirmingDelete(false), [threadId]);

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

  const onRetry = useCallback(
    async (text: string) => {
      if (threadId !== null) await sendMessage(services, threadId, text);
    },
    [services, threadId],
  );

  const onStop = async () => {
    if (threadId !== null) await services.broker.call('stop', { threadId });
  };

  const runExport = (scope: { threadId: string } | 'all', kind: 'json' | 'md') => {
    exportThreads(services, scope, kind)
      .then(downloadFile)
      .catch((error: unknown) => setNotice({ kind: 'error', text: `Export failed: ${errorText(error)}` }));
  };

  const onImport = (file: File) => {
    setNotice(null);
    importThreads(services, file).then(
      (result) => {
        const n = result.threadIds.length;
        const renamed = result.renamed > 0 ? ` ${result.renamed === 1 ? 'One already existed here and was' : `${result.renamed} already existed here and were`} imported as a copy.` : '';
        setNotice({ kind: 'info', text: `Imported ${n} ${n === 1 ? 'thread' : 'threads'}.${renamed}` });
        navigate(threadPath(result.threadIds[0]!));
      },
      (error: unknown) => setNotice({ kind: 'error', text: `Import refused: ${errorText(error)} Nothing was changed.` }),
    );
  };

  const onConfirmDelete = () => {
    setConfirmingDelete(false);
    if (threadId === null) return;
    deleteThread(services, threadId).then(
      () => navigate('/', { replace: true }),
      (error: unknown) => setNotice({ kind: 'error', text: `Could not delete the thread: ${errorText(error)}` }),
    );
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

  const turnCount = threadData.data?.turns.length ?? 0;

  return (
    <div className="shell">
      <DeployBanner />
      <div className="app">
        <Sidebar activeId={threadId} onNewThread={() => void newThread()} onExportAll={(kind) => runExport('all', kind)} onImport={onImport} />
        <main className="main">
          <ThreadHeader
            title={title}
            actions={
              threadId === null
                ? undefined
                : {
                    onRename: (t) => renameThread(services, threadId, t),
                    onExport: (kind) => runExport({ threadId }, kind),
                    onDelete: () => setConfirmingDelete(true),
                    policy: thread?.approvalPolicy ?? DEFAULT_APPROVAL_POLICY,
                    onPolicy: (policy) => {
                      services.broker.call('setApprovalPolicy', { threadId, policy }).catch((error: unknown) => setNotice({ kind: 'error', text: `Could not change the approval policy: ${errorText(error)}` }));
                    },
                    onCompact: () => {
                      services.broker
                        .call('compactThread', { tabId: services.tabId, threadId, turnId: crypto.randomUUID() })
                        .catch((error: unknown) => setNotice({ kind: 'error', text: `Could not compact the thread: ${errorText(error)}` }));
                    },
                    running,
                  }
            }
          />
          {notice && (
            <div className={`notice notice--${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
              <span>{notice.text}</span>
              <button type="button" className="button button--ghost button--small" onClick={() => setNotice(null)}>
                Dismiss
              </button>
            </div>
          )}
          <ThreadPane
            threadId={threadId}
            data={threadId === null ? undefined : threadData.data}
            emptyMessage={emptyMessage}
            onSend={onSend}
            onStop={onStop}
            onRetry={onRetry}
            focusToken={focusToken}
          />
        </main>
        <FilesPanel threadId={threadId} thread={thread} running={running} />
        <Inspector />
      </div>
      {confirmingDelete && title !== null && (
        <ConfirmDialog title="Delete thread?" confirmLabel="Delete" onConfirm={onConfirmDelete} onCancel={() => setConfirmingDelete(false)}>
          <p>
            “{title}”{turnCount > 0 ? ` and its ${turnCount === 1 ? 'turn' : `${turnCount} turns`}` : ''} will be deleted from this browser. This cannot be undone.
            {running && ' The turn running in it will be stopped first.'}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
