import { useEffect, useId, useMemo, useRef, useState, type ChangeEvent } from 'react';
import { APP_VERSION } from '../appVersion.ts';
import type { ThreadRecord } from '../core/threadStore.ts';
import { DEFAULT_WORKSPACE_ID, defaultWorkspaceRecord, threadWorkspaceId, type WorkspaceRecord } from '../core/workspaceRegistry.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';
import { FileTree } from './FileTree.tsx';
import { FileViewer } from './FileViewer.tsx';
import { useThreadList } from './queries.ts';
import { useServices } from './ServicesContext.ts';
import { useLive } from './useLive.ts';
import { useRememberedOpen } from './useRememberedOpen.ts';
import {
  bindThreadToWorkspace,
  createWorkspace,
  deleteWorkspace,
  downloadWorkspaceZip,
  folderPickerAvailable,
  grantAccess,
  importIntoWorkspace,
  openLocalFolder,
  renameWorkspace,
  type WorkspaceActionDeps,
} from './workspaceActions.ts';
import { WorkspaceNameDialog } from './WorkspaceNameDialog.tsx';
import { useDirectoryListings, useFilePreview, useWorkspaceAccess, useWorkspaceList, useWorkspaceRoot, workspaceContentKey, workspaceFilesKey, workspaceListKey } from './workspaceQueries.ts';
import { createWorkspaceSync, workspaceChannelName, type WorkspaceSync } from './workspaceSync.ts';

const OPEN_KEY = 'switchboard:files-panel-open';
/** On screens this wide the panel starts open (unless the user closed it before). */
const WIDE_SCREEN = '(min-width: 1500px)';

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

type Notice = { kind: 'error' | 'info'; text: string };

/** Tells other tabs what this one changed, and re-reads what they changed. */
function useWorkspaceSync(): WorkspaceSync {
  const { queryClient } = useServices();
  const current = useRef<WorkspaceSync | null>(null);
  useEffect(() => {
    if (typeof BroadcastChannel === 'undefined') return;
    const sync = createWorkspaceSync({
      channel: new BroadcastChannel(workspaceChannelName(APP_VERSION)),
      onRemoteChange(workspaceId) {
        void queryClient.invalidateQueries({ queryKey: workspaceListKey });
        if (workspaceId !== null) void queryClient.invalidateQueries({ queryKey: workspaceFilesKey(workspaceId) });
      },
    });
    current.current = sync;
    return () => {
      sync.close();
      current.current = null;
    };
  }, [queryClient]);
  return useMemo(() => ({ announce: (workspaceId) => current.current?.announce(workspaceId), close() {} }), []);
}

/**
 * The Files panel: the open thread's workspace (and a selector to bind the thread to another),
 * the workspace actions, a tree of its files and a viewer for one of them. Collapsible like the
 * Inspector; the choice is remembered in this browser.
 */
export function FilesPanel({ threadId, thread, running }: { threadId: string | null; thread: ThreadRecord | undefined; running: boolean }) {
  const [open, toggle] = useRememberedOpen(OPEN_KEY, WIDE_SCREEN);
  const bodyId = useId();
  const sync = useWorkspaceSync();

  return (
    <aside className={open ? 'files' : 'files files--collapsed'} aria-label="Files">
      <div className="files__head">
        <h2 className="files__title">Files</h2>
        <button type="button" className="button button--ghost button--small" aria-label={open ? 'Hide files' : 'Show files'} aria-expanded={open} aria-controls={bodyId} onClick={toggle}>
          {open ? 'Hide' : 'Show'}
        </button>
      </div>
      <div id={bodyId} className="files__body" hidden={!open}>
        {open && <WorkspacePane threadId={threadId} thread={thread} running={running} sync={sync} />}
      </div>
    </aside>
  );
}

type DialogState = 'new' | 'rename' | 'delete' | null;
type Busy = 'import' | 'zip' | 'delete' | 'open' | 'grant' | 'bind' | null;

function WorkspacePane({ threadId, thread, running, sync }: { threadId: string | null; thread: ThreadRecord | undefined; running: boolean; sync: WorkspaceSync }) {
  const services = useServices();
  const deps: WorkspaceActionDeps = useMemo(() => ({ services, sync, storage: navigator.storage }), [services, sync]);
  const list = useWorkspaceList();
  const threadList = useThreadList();
  const ids = { select: useId(), bindHint: useId(), pickerHint: useId() };
  const [dialog, setDialog] = useState<DialogState>(null);
  const [busy, setBusy] = useState<Busy>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);

  const records = list.data ?? [];
  const wantedId = threadWorkspaceId(thread);
  // A binding to a workspace that is gone shows (and, in the broker, runs on) the default.
  const record: WorkspaceRecord = records.find((r) => r.id === wantedId) ?? records.find((r) => r.id === DEFAULT_WORKSPACE_ID) ?? defaultWorkspaceRecord();
  const defaultName = records.find((r) => r.id === DEFAULT_WORKSPACE_ID)?.name ?? defaultWorkspaceRecord().name;

  const root = useWorkspaceRoot(record);
  const access = useWorkspaceAccess(record, root.data);
  const granted = access.data === 'granted';

  const canBind = threadId !== null && !running;
  const pickerAvailable = folderPickerAvailable();

  /** Runs one action at a time, showing what it said or why it failed. */
  const run = async (what: Exclude<Busy, null>, action: () => Promise<string | null>) => {
    if (busy) return;
    setBusy(what);
    setNotice(null);
    try {
      const text = await action();
      if (text) setNotice({ kind: 'info', text });
    } catch (error) {
      setNotice({ kind: 'error', text: errorText(error) });
    } finally {
      setBusy(null);
    }
  };

  /** After creating or opening a workspace: the open thread uses it, when it can change now. */
  const adopt = async (created: WorkspaceRecord, verb: string): Promise<string> => {
    if (threadId === null) return `${verb} “${created.name}”. Open a thread to work in it.`;
    if (running) return `${verb} “${created.name}”. A turn is running in this thread: choose it under Workspace once the turn ends.`;
    await bindThreadToWorkspace(services, threadId, created.id);
    return `${verb} “${created.name}”; this thread now works in it.`;
  };

  const onBind = (event: ChangeEvent<HTMLSelectElement>) => {
    const id = event.target.value;
    if (threadId === null || running) return;
    void run('bind', async () => {
      await bindThreadToWorkspace(services, threadId, id);
      return null;
    });
  };

  const onImport = (event: ChangeEvent<HTMLInputElement>) => {
    const files = [...(event.target.files ?? [])];
    event.target.value = ''; // choosing the same files again fires change again
    if (files.length === 0 || !root.data) return;
    const dir = root.data;
    void run('import', () => importIntoWorkspace(deps, record, dir, files));
  };

  const boundThreads = (threadList.data ?? []).filter((t) => t.workspaceId === record.id).length;

  if (list.isError) {
    return (
      <p className="files__problem" role="alert">
        Could not read the workspaces: {errorText(list.error)}
      </p>
    );
  }
  if (list.isPending) return <p className="files__note">Loading…</p>;

  const browserRecords = records.filter((r) => r.kind === 'opfs');
  const localRecords = records.filter((r) => r.kind === 'local');
  const bindHint = threadId === null ? 'Open a thread to choose the workspace it works in.' : running ? 'A turn is running in this thread; its workspace can change when the turn ends.' : null;
  const filesUsable = root.isSuccess && granted;

  return (
    <div className="files__pane" aria-busy={busy !== null}>
      <div className="files__controls">
        <div className="files__select">
          <label htmlFor={ids.select}>Workspace</label>
          <select id={ids.select} value={record.id} disabled={!canBind || busy !== null} aria-describedby={bindHint ? ids.bindHint : undefined} onChange={onBind}>
            <optgroup label="In this browser">
              {browserRecords.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </optgroup>
            {localRecords.length > 0 && (
              <optgroup label="Folders on this computer">
                {localRecords.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </optgroup>
            )}
          </select>
        </div>
        <p className="files__hint">
          {record.kind === 'local' ? `A folder on this computer (“${record.handle?.name ?? record.name}”).` : 'Stored in this browser.'}
          {bindHint && (
            <>
              {' '}
              <span id={ids.bindHint}>{bindHint}</span>
            </>
          )}
        </p>
        <div className="files__actions">
          <button type="button" className="button button--small" disabled={busy !== null} onClick={() => setDialog('new')}>
            New workspace
          </button>
          <button type="button" className="button button--small" disabled={busy !== null} onClick={() => setDialog('rename')}>
            Rename workspace
          </button>
          <button
            type="button"
            className="button button--small button--ghost-danger"
            disabled={busy !== null || record.id === DEFAULT_WORKSPACE_ID || running}
            title={record.id === DEFAULT_WORKSPACE_ID ? 'The default workspace cannot be deleted.' : running ? 'A turn is running in this thread.' : undefined}
            onClick={() => setDialog('delete')}
          >
            Delete workspace
          </button>
        </div>
        <div className="files__actions">
          <button type="button" className="button button--small" disabled={busy !== null || !filesUsable} onClick={() => filesInput.current?.click()}>
            Import files
          </button>
          <button type="button" className="button button--small" disabled={busy !== null || !filesUsable} onClick={() => folderInput.current?.click()}>
            Import folder
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={busy !== null || !pickerAvailable}
            aria-describedby={pickerAvailable ? undefined : ids.pickerHint}
            title={pickerAvailable ? 'Work on a folder on this computer' : PICKER_MISSING}
            onClick={() =>
              void run('open', async () => {
                const opened = await openLocalFolder(deps);
                return opened ? adopt(opened, 'Opened') : null;
              })
            }
          >
            Open folder…
          </button>
          <button
            type="button"
            className="button button--small"
            disabled={busy !== null || !filesUsable}
            onClick={() =>
              void run('zip', async () => {
                const count = await downloadWorkspaceZip(record, root.data!);
                return `Downloading “${record.name}” as a zip (${count} ${count === 1 ? 'file' : 'files'}).`;
              })
            }
          >
            {busy === 'zip' ? 'Zipping…' : 'Download zip'}
          </button>
        </div>
        {!pickerAvailable && (
          <p id={ids.pickerHint} className="files__hint">
            {PICKER_MISSING}
          </p>
        )}
        {/* Reachable by their labels for assistive tech and tests; the buttons above are the visible controls. */}
        <input ref={filesInput} className="visually-hidden" type="file" multiple aria-label="Files to import" tabIndex={-1} onChange={onImport} />
        <input
          ref={(el) => {
            folderInput.current = el;
            if (el) el.webkitdirectory = true;
          }}
          className="visually-hidden"
          type="file"
          aria-label="Folder to import"
          tabIndex={-1}
          onChange={onImport}
        />
      </div>
      {/* One live region, always present, so what an action says is announced. */}
      <div className="files__status" role="status">
        {busy === 'import' ? (
          <p className="files__note">Importing…</p>
        ) : (
          notice?.kind === 'info' && (
            <div className="files__notice notice">
              <span>{notice.text}</span>
              <button type="button" className="button button--ghost button--small" onClick={() => setNotice(null)}>
                Dismiss
              </button>
            </div>
          )
        )}
      </div>
      {notice?.kind === 'error' && (
        <div className="files__notice notice notice--error" role="alert">
          <span>{notice.text}</span>
          <button type="button" className="button button--ghost button--small" onClick={() => setNotice(null)}>
            Dismiss
          </button>
        </div>
      )}
      {root.isError ? (
        <p className="files__problem" role="alert">
          Could not open “{record.name}”: {errorText(root.error)}
        </p>
      ) : record.kind === 'local' && access.isSuccess && !granted ? (
        <div className="files__access">
          <p>
            {access.data === 'denied'
              ? `Access to the folder “${record.name}” was refused. Press Grant access to ask again.`
              : `Switchboard needs your permission to use the folder “${record.name}” again (browsers ask after a restart). Until then the agent's tools cannot reach it.`}
          </p>
          <button
            type="button"
            className="button button--primary button--small"
            disabled={busy !== null || !root.data}
            onClick={() =>
              void run('grant', async () => {
                const state = await grantAccess(deps, record, root.data!);
                return state === 'granted' ? null : `Access to “${record.name}” was not granted.`;
              })
            }
          >
            Grant access
          </button>
        </div>
      ) : (
        <WorkspaceFiles key={record.id} record={record} root={root.data} enabled={filesUsable} />
      )}

      {dialog === 'new' && (
        <WorkspaceNameDialog
          title="New workspace"
          initialName=""
          confirmLabel="Create"
          onCancel={() => setDialog(null)}
          onSubmit={async (name) => {
            const created = await createWorkspace(deps, name);
            setDialog(null);
            await run('bind', () => adopt(created, 'Created'));
          }}
        >
          <p>An empty folder of files in this browser{threadId !== null && !running ? '; the open thread will work in it' : ''}.</p>
        </WorkspaceNameDialog>
      )}
      {dialog === 'rename' && (
        <WorkspaceNameDialog
          title="Rename workspace"
          initialName={record.name}
          confirmLabel="Rename"
          onCancel={() => setDialog(null)}
          onSubmit={async (name) => {
            await renameWorkspace(deps, record, name);
            setDialog(null);
          }}
        />
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title="Delete workspace?"
          confirmLabel="Delete"
          onCancel={() => setDialog(null)}
          onConfirm={() => {
            setDialog(null);
            void run('delete', async () => {
              await deleteWorkspace(deps, record);
              return `Deleted “${record.name}”.`;
            });
          }}
        >
          <p>
            {record.kind === 'local'
              ? `Switchboard will forget the folder “${record.name}”. The files on your disk are not touched.`
              : `“${record.name}” and all its files will be deleted from this browser. This cannot be undone (Download zip keeps a copy).`}{' '}
            {boundThreads === 0
              ? `Threads that use it will work in “${defaultName}” instead.`
              : `${boundThreads === 1 ? 'One thread uses it and' : `${boundThreads} threads use it and`} will work in “${defaultName}” instead.`}
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}

const PICKER_MISSING = 'Opening a folder from your disk needs the File System Access API, which this browser does not have (Chrome and Edge on a desktop have it).';

/** The tree and the viewer of one workspace. Keyed by workspace id, so what is expanded and
 *  selected starts afresh for another workspace. */
function WorkspaceFiles({ record, root, enabled }: { record: WorkspaceRecord; root: FileSystemDirectoryHandle | undefined; enabled: boolean }) {
  const { queryClient } = useServices();
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set());
  const [selected, setSelected] = useState<string | null>(null);
  const dirs = useMemo(() => ['', ...expanded], [expanded]);
  const { listings, errors } = useDirectoryListings(record.id, root, dirs, enabled);
  const preview = useFilePreview(record.id, root, selected, enabled);

  // The broker says this workspace's files changed (a tool wrote them): re-read what is shown.
  const changes = useLive((s) => s.workspaces[record.id] ?? 0);
  const seen = useRef(changes);
  useEffect(() => {
    if (seen.current === changes) return;
    seen.current = changes;
    void queryClient.invalidateQueries({ queryKey: workspaceContentKey(record.id) });
  }, [changes, queryClient, record.id]);

  const onToggle = (path: string, open: boolean) => {
    setExpanded((current) => {
      const next = new Set(current);
      if (open) next.add(path);
      else for (const p of current) if (p === path || p.startsWith(`${path}/`)) next.delete(p);
      return next;
    });
  };

  const top = listings.get('');
  const rootError = errors.find((e) => e.path === '');
  return (
    <div className="files__content">
      <div className="files__tree">
        {rootError ? (
          <p className="files__problem" role="alert">
            Could not list the files: {rootError.error.message}
          </p>
        ) : top === undefined ? (
          <p className="files__note">Loading…</p>
        ) : (
          top.length === 0 && <p className="files__note">This workspace is empty. Import files or a folder to start.</p>
        )}
        <FileTree listings={listings} expanded={expanded} selected={selected} onToggle={onToggle} onSelect={setSelected} />
        {errors
          .filter((e) => e.path !== '')
          .map((e) => (
            <p key={e.path} className="files__problem" role="alert">
              Could not list “{e.path}”: {e.error.message}
            </p>
          ))}
      </div>
      <FileViewer path={selected} preview={preview.data} error={preview.error} loading={preview.isPending && selected !== null} />
    </div>
  );
}
