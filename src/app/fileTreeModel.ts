// The Files panel's tree, as data: which rows are visible given the folder listings read so far
// and the folders the user expanded, and where each key of the WAI-ARIA tree pattern moves
// focus. Pure: no React, no file system, so the keyboard behaviour is unit-tested.
import type { WorkspaceEntry } from '../core/workspace.ts';

export interface TreeNode {
  path: string;
  name: string;
  kind: 'file' | 'directory';
  size?: number;
  level: number;
  /** 1-based position among its siblings, and their count (aria-posinset / aria-setsize). */
  posInSet: number;
  setSize: number;
  parent: string | null;
  /** For directories: whether it is expanded, and whether its listing is still being read. */
  expanded: boolean;
  loading: boolean;
  children: TreeNode[];
}

/** A folder's listing (`list(path, 1)`), or undefined while it is read. */
export type Listings = ReadonlyMap<string, readonly WorkspaceEntry[] | undefined>;

const nameOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Folders first, then files, each by name: how file managers and editors show a tree. */
function byKindThenName(a: WorkspaceEntry, b: WorkspaceEntry): number {
  if (a.kind !== b.kind) return a.kind === 'directory' ? -1 : 1;
  return nameOf(a.path).localeCompare(nameOf(b.path), undefined, { numeric: true, sensitivity: 'base' });
}

/** The nested tree under `dir` ('' for the root), as far as the listings and expansions go. */
export function buildTree(listings: Listings, expanded: ReadonlySet<string>, dir = '', level = 1): TreeNode[] {
  const entries = [...(listings.get(dir) ?? [])].sort(byKindThenName);
  return entries.map((entry, i) => {
    const isDir = entry.kind === 'directory';
    const open = isDir && expanded.has(entry.path);
    return {
      path: entry.path,
      name: nameOf(entry.path),
      kind: entry.kind,
      ...(entry.size !== undefined && { size: entry.size }),
      level,
      posInSet: i + 1,
      setSize: entries.length,
      parent: dir === '' ? null : dir,
      expanded: open,
      loading: open && listings.get(entry.path) === undefined,
      children: open ? buildTree(listings, expanded, entry.path, level + 1) : [],
    };
  });
}

/** The rows a person can see, top to bottom: the order the arrow keys walk. */
export function visibleNodes(tree: readonly TreeNode[]): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (nodes: readonly TreeNode[]) => {
    for (const node of nodes) {
      out.push(node);
      walk(node.children);
    }
  };
  walk(tree);
  return out;
}

/** What a key press on the focused row does. */
export type TreeKeyAction =
  | { kind: 'focus'; path: string }
  | { kind: 'expand'; path: string }
  | { kind: 'collapse'; path: string }
  /** Enter / Space: open a file in the viewer, or toggle a folder. */
  | { kind: 'activate'; path: string };

export function treeKeyAction(rows: readonly TreeNode[], focused: string, key: string): TreeKeyAction | null {
  const at = rows.findIndex((r) => r.path === focused);
  if (at === -1) return rows[0] ? { kind: 'focus', path: rows[0].path } : null;
  const row = rows[at]!;
  switch (key) {
    case 'ArrowDown':
      return at + 1 < rows.length ? { kind: 'focus', path: rows[at + 1]!.path } : null;
    case 'ArrowUp':
      return at > 0 ? { kind: 'focus', path: rows[at - 1]!.path } : null;
    case 'Home':
      return { kind: 'focus', path: rows[0]!.path };
    case 'End':
      return { kind: 'focus', path: rows.at(-1)!.path };
    case 'ArrowRight':
      if (row.kind !== 'directory') return null;
      if (!row.expanded) return { kind: 'expand', path: row.path };
      return row.children[0] ? { kind: 'focus', path: row.children[0].path } : null;
    case 'ArrowLeft':
      if (row.kind === 'directory' && row.expanded) return { kind: 'collapse', path: row.path };
      return row.parent !== null ? { kind: 'focus', path: row.parent } : null;
    case 'Enter':
    case ' ':
      return { kind: 'activate', path: row.path };
    default:
      return null;
  }
}

