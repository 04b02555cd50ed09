import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { formatBytes } from '../core/workspaceImport.ts';
import { buildTree, treeKeyAction, visibleNodes, type Listings, type TreeNode } from './fileTreeModel.ts';

/**
 * A workspace's files as a WAI-ARIA tree: one tab stop (roving tabindex), arrows to move,
 * Right/Left to open and close folders, Home/End, Enter/Space to open a file or toggle a folder.
 * Folders are read when first expanded (a local folder may be big).
 */
export function FileTree({
  listings,
  expanded,
  selected,
  onToggle,
  onSelect,
}: {
  listings: Listings;
  expanded: ReadonlySet<string>;
  selected: string | null;
  onToggle(path: string, open: boolean): void;
  onSelect(path: string): void;
}) {
  const tree = useMemo(() => buildTree(listings, expanded), [listings, expanded]);
  const rows = useMemo(() => visibleNodes(tree), [tree]);
  const [focused, setFocused] = useState<string | null>(null);
  const container = useRef<HTMLUListElement>(null);
  /** Set by a key press: move DOM focus once the row is rendered. */
  const pendingFocus = useRef<string | null>(null);

  // The row that takes the tab stop: the focused one if still visible, else the selected file,
  // else the first row.
  const tabStop = rows.some((r) => r.path === focused) ? focused : rows.some((r) => r.path === selected) ? selected : (rows[0]?.path ?? null);

  useEffect(() => {
    const path = pendingFocus.current;
    if (path === null) return;
    const el = container.current?.querySelector<HTMLElement>(`[data-path="${CSS.escape(path)}"]`);
    if (el) {
      pendingFocus.current = null;
      el.focus();
    }
  });

  const focusRow = (path: string) => {
    setFocused(path);
    pendingFocus.current = path;
  };

  const activate = (node: TreeNode) => {
    if (node.kind === 'directory') onToggle(node.path, !node.expanded);
    else onSelect(node.path);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (tabStop === null || event.altKey || event.ctrlKey || event.metaKey) return;
    const action = treeKeyAction(rows, tabStop, event.key);
    if (!action) return;
    event.preventDefault();
    event.stopPropagation();
    switch (action.kind) {
      case 'focus':
        focusRow(action.path);
        return;
      case 'expand':
        onToggle(action.path, true);
        return;
      case 'collapse':
        onToggle(action.path, false);
        return;
      case 'activate': {
        const node = rows.find((r) => r.path === action.path);
        if (node) activate(node);
        return;
      }
    }
  };

  const renderNodes = (nodes: readonly TreeNode[]) =>
    nodes.map((node) => (
      <li
        key={node.path}
        role="treeitem"
        data-path={node.path}
        className={`tree__item tree__item--${node.kind}`}
        // Named by its own label only: a folder's name must not include its children's names.
        aria-label={node.name}
        aria-level={node.level}
        aria-posinset={node.posInSet}
        aria-setsize={node.setSize}
        aria-expanded={node.kind === 'directory' ? node.expanded : undefined}
        aria-selected={node.path === selected}
        aria-busy={node.loading || undefined}
        tabIndex={node.path === tabStop ? 0 : -1}
        onFocus={(e) => {
          if (e.target === e.currentTarget) setFocused(node.path);
        }}
        onClick={(e) => {
          e.stopPropagation();
          setFocused(node.path);
          activate(node);
        }}
      >
        <span className="tree__row" style={{ paddingLeft: `${(node.level - 1) * 14 + 6}px` }} title={node.path}>
          <span className="tree__icon" aria-hidden="true">
            {node.kind === 'directory' ? (node.expanded ? '▾' : '▸') : ''}
          </span>
          <span className="tree__name">{node.name}</span>
          {node.size !== undefined && (
            <span className="tree__size" aria-hidden="true">
              {formatBytes(node.size)}
            </span>
          )}
        </span>
        {node.kind === 'directory' && node.expanded && (
          <ul role="group" className="tree__group">
            {node.loading ? (
              <li role="none" className="tree__note" style={{ paddingLeft: `${node.level * 14 + 20}px` }}>
                Loading…
              </li>
            ) : node.children.length === 0 ? (
              <li role="none" className="tree__note" style={{ paddingLeft: `${node.level * 14 + 20}px` }}>
                Empty folder
              </li>
            ) : (
              renderNodes(node.children)
            )}
          </ul>
        )}
      </li>
    ));

  return (
    <ul ref={container} role="tree" aria-label="Workspace files" className="tree" onKeyDown={onKeyDown}>
      {renderNodes(tree)}
    </ul>
  );
}
