// What importing files into a workspace writes where: the browser hands over File objects (from
// `<input type=file multiple>`, named by `name`, or `webkitdirectory`, named by
// `webkitRelativePath` such as "project/src/a.js"); each becomes a workspace-relative path, kept
// as the browser gave it. Pure: works on anything with a name and a size, so tests use plain
// objects. The caps stop a stray "import my home folder" before anything is read or written.
import { resolveWorkspacePath } from './workspace.ts';

/** The most one import writes: everything is read into memory on its way to the workspace. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;
export const MAX_IMPORT_FILES = 5_000;

export interface ImportSource {
  name: string;
  /** Set by the browser for a folder import ("folder/sub/file"); '' for single files. */
  webkitRelativePath?: string;
  size: number;
}

export interface ImportLimits {
  maxBytes: number;
  maxFiles: number;
}

export interface PlannedFile<T> {
  /** Workspace-relative destination. */
  path: string;
  source: T;
}

export interface ImportPlan<T> {
  files: PlannedFile<T>[];
  totalBytes: number;
  /** Sources that have no usable path (they are left out, and the user is told). */
  skipped: { name: string; reason: string }[];
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(n < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** Where each file goes, under `into` ('' for the root). Throws a message for the user when the
 *  import as a whole is over a cap: nothing is written then. */
export function planWorkspaceImport<T extends ImportSource>(sources: readonly T[], into = '', limits: ImportLimits = { maxBytes: MAX_IMPORT_BYTES, maxFiles: MAX_IMPORT_FILES }): ImportPlan<T> {
  const base = resolveWorkspacePath(into);
  const byPath = new Map<string, PlannedFile<T>>();
  const skipped: ImportPlan<T>['skipped'] = [];
  for (const source of sources) {
    const given = source.webkitRelativePath || source.name;
    let path: string;
    try {
      path = resolveWorkspacePath(base ? `${base}/${given}` : given);
    } catch (error) {
      skipped.push({ name: given, reason: error instanceof Error ? error.message : String(error) });
      continue;
    }
    if (path === '' || path === base) {
      skipped.push({ name: given, reason: 'it has no file name' });
      continue;
    }
    // The same path twice (two folders picked with one name): the last one wins, like a copy.
    byPath.set(path, { path, source });
  }
  const files = [...byPath.values()];
  const totalBytes = files.reduce((sum, f) => sum + f.source.size, 0);
  if (files.length > limits.maxFiles || totalBytes > limits.maxBytes) {
    const count = `${files.length.toLocaleString('en')} ${files.length === 1 ? 'file' : 'files'}`;
    throw new Error(
      `Not imported: these ${count} total ${formatBytes(totalBytes)}, and one import takes at most ${limits.maxFiles.toLocaleString('en')} files and ${formatBytes(limits.maxBytes)}. ` +
        'Choose fewer files, or a folder without dependencies and build output (such as node_modules or .git).',
    );
  }
  return { files, totalBytes, skipped };
}
