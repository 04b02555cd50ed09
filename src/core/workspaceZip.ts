// A workspace's files as one .zip (Download zip), with fflate. Pure: bytes in, bytes out.
import { zipSync, type Zippable, type ZipOptions } from 'fflate';

export interface FileBytes {
  /** Workspace-relative, '/'-separated. */
  path: string;
  bytes: Uint8Array;
  /** ms since the epoch; the zip keeps it (to 2 s, from 1980 on). */
  lastModified?: number;
}

export interface WorkspaceSnapshot {
  files: FileBytes[];
  /** Directories with nothing in them, which a zip otherwise would not show. */
  emptyDirectories: string[];
}

/** Formats that are compressed already: deflating them again costs time and saves nothing. */
const STORED = /\.(png|jpe?g|gif|webp|avif|ico|zip|gz|tgz|bz2|xz|7z|zst|br|woff2?|mp[34]|m4a|mov|webm|ogg|pdf|jar|wasm)$/i;

/** The zip's earliest representable time (the DOS epoch). */
const DOS_EPOCH = Date.UTC(1980, 0, 1, 0, 0, 2);

export function zipWorkspace(snapshot: WorkspaceSnapshot): Uint8Array {
  const entries: Zippable = {};
  for (const file of snapshot.files) {
    const options: ZipOptions = { level: STORED.test(file.path) ? 0 : 6 };
    if (file.lastModified !== undefined) options.mtime = Math.max(file.lastModified, DOS_EPOCH);
    entries[file.path] = [file.bytes, options];
  }
  // A name ending in '/' with no data is a directory entry.
  for (const dir of snapshot.emptyDirectories) entries[`${dir}/`] = new Uint8Array(0);
  return zipSync(entries);
}

/** A download name for the zip: the workspace's name with characters file systems refuse replaced. */
export function zipFileName(workspaceName: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = workspaceName.replace(/[\u0000-\u001f\u007f<>:"/\\|?*]+/g, '-').replace(/^[.\s-]+|[.\s-]+$/g, '');
  return `${safe || 'workspace'}.zip`;
}
