// Which Workspace a thread's tools run on, for the broker: the thread's record names a workspace
// (absent, or deleted since: the default), the registry says what kind it is, and the injected
// openers reach its files (OPFS by id, or a local folder's handle). The answer is cached per
// thread, so a tool call in a running turn costs no IndexedDB read; `forget(threadId)` (the
// `bindWorkspace` RPC) makes the next call look again. Pure: the storage and file system are
// injected, so this runs in the worker and in unit tests alike.
import type { ThreadRecord } from './threadStore.ts';
import type { Workspace } from './workspace.ts';
import { DEFAULT_WORKSPACE_ID, threadWorkspaceId, type WorkspaceRecord } from './workspaceRegistry.ts';

export interface WorkspaceResolverDeps {
  getThread(threadId: string): Promise<ThreadRecord | undefined>;
  getWorkspace(id: string): Promise<WorkspaceRecord | undefined>;
  /** The OPFS folder `workspaces/<id>` (the default one gets its starter files when new). */
  openOpfs(id: string): Promise<Workspace>;
  /** A local folder's workspace; it checks access itself on every operation (see guardAccess). */
  openLocal(record: WorkspaceRecord): Promise<Workspace>;
  log?(message: string): void;
}

export interface WorkspaceResolver {
  workspaceFor(threadId: string): Promise<Workspace>;
  /** Drops the thread's cached workspace (its binding changed, or the workspace was deleted). */
  forget(threadId: string): void;
}

export function createWorkspaceResolver(deps: WorkspaceResolverDeps): WorkspaceResolver {
  const byThread = new Map<string, Promise<Workspace>>();

  async function resolve(threadId: string): Promise<Workspace> {
    const wanted = threadWorkspaceId(await deps.getThread(threadId));
    const record = wanted === DEFAULT_WORKSPACE_ID ? undefined : await deps.getWorkspace(wanted);
    if (wanted !== DEFAULT_WORKSPACE_ID && record === undefined) deps.log?.(`thread ${threadId}: workspace ${wanted} is gone; using the default one`);
    if (record === undefined || record.kind === 'opfs') return deps.openOpfs(record?.id ?? DEFAULT_WORKSPACE_ID);
    return deps.openLocal(record);
  }

  return {
    workspaceFor(threadId) {
      const cached = byThread.get(threadId);
      if (cached) return cached;
      const opening = resolve(threadId);
      byThread.set(threadId, opening);
      // A failure (storage unavailable, say) is not remembered: the next tool call tries again.
      // The identity check keeps a forget()-then-reopen that happened meanwhile.
      opening.catch(() => {
        if (byThread.get(threadId) === opening) byThread.delete(threadId);
      });
      return opening;
    },
    forget(threadId) {
      byThread.delete(threadId);
    },
  };
}

/** What a folder handle's permission query answers (PermissionState, without the DOM). */
export type AccessState = 'granted' | 'denied' | 'prompt';

/** The message a tool returns when a local folder's access is gone: the model reads it as the
 *  tool's output and the user sees it in the transcript, with what to do about it. */
export function lostAccessMessage(folderName: string): string {
  return `Switchboard lost access to the folder "${folderName}"; open the Files panel and press Grant access`;
}

/** Errors the File System Access API throws when the page or worker may not touch the folder. */
const ACCESS_ERRORS = new Set(['NotAllowedError', 'SecurityError']);
const isAccessError = (error: unknown) => typeof error === 'object' && error !== null && ACCESS_ERRORS.has((error as { name?: unknown }).name as string);

/**
 * Wraps a local folder's workspace so every operation first asks whether access is still granted
 * (a worker cannot ask the user; access lapses when the browser restarts or the user revokes
 * it). A refusal, before or during the operation, becomes `lostAccessMessage`. `query` is
 * called each time: it is a permission lookup, not a storage read, and the user may press
 * Grant access at any moment.
 */
export function guardAccess(workspace: Workspace, folderName: string, query: () => Promise<AccessState>): Workspace {
  const guarded = <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      let state: AccessState;
      try {
        state = await query();
      } catch (error) {
        if (isAccessError(error)) throw new Error(lostAccessMessage(folderName));
        throw error;
      }
      if (state !== 'granted') throw new Error(lostAccessMessage(folderName));
      try {
        return await op(...args);
      } catch (error) {
        if (isAccessError(error)) throw new Error(lostAccessMessage(folderName));
        throw error;
      }
    };
  // Every method is wrapped, including any the Workspace interface gains later.
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(workspace)) {
    out[key] = typeof value === 'function' ? guarded((value as (...args: unknown[]) => Promise<unknown>).bind(workspace)) : value;
  }
  return out as unknown as Workspace;
}
