// What the Files panel reads, through TanStack Query: the workspace registry (IndexedDB) and a
// workspace's files (OPFS or a local folder, read by the page directly: no network, no broker).
// Every key starts with 'workspaces', so one prefix invalidates what another tab changed; a
// workspace's files re-read when the broker says they changed (`workspace.changed`, counted in
// the live store) and after the panel's own actions.
import { useQueries, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useCallback } from 'react';
import { createOpfsWorkspace } from '../../sw/opfsWorkspace.ts';
import { openWorkspaceRoot, queryAccess, readFilePreview } from '../../sw/workspaceFolders.ts';
import type { WorkspaceEntry } from '../core/workspace.ts';
import type { WorkspaceRecord } from '../core/workspaceRegistry.ts';
import type { AccessState } from '../core/workspaceResolver.ts';
import { useServices } from './ServicesContext.ts';

export const workspaceListKey = ['workspaces', 'list'] as const;
/** Everything read from one workspace's folder. */
export const workspaceFilesKey = (workspaceId: string) => ['workspaces', 'files', workspaceId] as const;
const rootKey = (id: string) => [...workspaceFilesKey(id), 'root'] as const;
export const accessKey = (id: string) => [...workspaceFilesKey(id), 'access'] as const;
/** Folder listings and file contents: what a change of the files makes stale. */
export const workspaceContentKey = (id: string) => [...workspaceFilesKey(id), 'content'] as const;
const dirKey = (id: string, path: string) => [...workspaceContentKey(id), 'dir', path] as const;
const fileKey = (id: string, path: string) => [...workspaceContentKey(id), 'file', path] as const;

export function useWorkspaceList() {
  const { threads } = useServices();
  return useQuery({ queryKey: workspaceListKey, queryFn: () => threads.listWorkspaces() });
}

/** The workspace's root folder handle. It never changes for a record, so it is read once. */
export function useWorkspaceRoot(record: WorkspaceRecord) {
  return useQuery({
    queryKey: rootKey(record.id),
    queryFn: () => openWorkspaceRoot(navigator.storage, record, { createMissing: false }),
    staleTime: Infinity,
    // Handles are not plain data: compare nothing, keep the object as it is.
    structuralSharing: false,
  });
}

/** 'granted' for OPFS; a local folder asks the browser (access lapses after a restart, and the
 *  user may revoke it), again whenever the window regains focus. */
export function useWorkspaceAccess(record: WorkspaceRecord, root: FileSystemDirectoryHandle | undefined) {
  return useQuery({
    queryKey: accessKey(record.id),
    queryFn: (): Promise<AccessState> => (record.kind === 'local' ? queryAccess(root!) : Promise.resolve('granted')),
    enabled: root !== undefined,
    staleTime: 0,
  });
}

export interface DirectoryListings {
  /** Each asked-for folder's entries, or undefined while it is read (or failed). */
  listings: Map<string, WorkspaceEntry[] | undefined>;
  errors: { path: string; error: Error }[];
}

/** The listings (`list(path, 1)`) of the root and of every expanded folder, read in parallel. */
export function useDirectoryListings(workspaceId: string, root: FileSystemDirectoryHandle | undefined, dirs: readonly string[], enabled: boolean): DirectoryListings {
  // Stable while `dirs` is: TanStack then keeps the combined result (and the Map in it) until a
  // listing changes, so the tree built from it is not rebuilt on every render.
  const combine = useCallback(
    (results: UseQueryResult<WorkspaceEntry[]>[]) => ({
      listings: new Map(results.map((r, i) => [dirs[i]!, r.data])),
      errors: results.flatMap((r, i) => (r.error ? [{ path: dirs[i]!, error: r.error }] : [])),
    }),
    [dirs],
  );
  return useQueries({
    queries: dirs.map((path) => ({
      queryKey: dirKey(workspaceId, path),
      queryFn: () => createOpfsWorkspace(workspaceId, root!).list(path, 1),
      enabled: enabled && root !== undefined,
      retry: false,
    })),
    combine,
  });
}

export function useFilePreview(workspaceId: string, root: FileSystemDirectoryHandle | undefined, path: string | null, enabled: boolean) {
  return useQuery({
    queryKey: fileKey(workspaceId, path ?? ''),
    queryFn: () => readFilePreview(root!, path!),
    enabled: enabled && root !== undefined && path !== null,
    retry: false,
  });
}
