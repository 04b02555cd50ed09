// What a turn changed in its workspace, and how to undo it. Each tool call that writes records
// its FileChanges (with the contents before and after); "Revert this turn's changes" puts every
// file the turn touched back as it was before the turn, provided nothing changed it since.
import type { ChangeSummary, TurnChangeSet } from './brokerMessages.ts';
import type { FileChange } from './tools/toolContract.ts';
import type { Workspace } from './workspace.ts';

export type ChangeKind = FileChange['kind'];

/** The files one tool call changed, as saved in the turn's record. */
export interface RecordedChangeSet {
  callId: string;
  tool: string;
  /** The workspace the call wrote to: a revert must go to the same one. */
  workspaceId: string;
  changes: FileChange[];
}

export function summarizeChangeSet(set: RecordedChangeSet): TurnChangeSet {
  return {
    callId: set.callId,
    tool: set.tool,
    changes: set.changes.map((c): ChangeSummary => ({ path: c.path, kind: c.kind, diff: c.diff, ...(c.from !== undefined ? { from: c.from } : {}) })),
  };
}

/** One path's net change over the turn: content before its first change, after its last. */
interface PathEffect {
  path: string;
  /** null: the path did not exist before the turn. */
  original: string | null;
  /** null: the turn left no file there. */
  current: string | null;
}

function netEffects(sets: readonly RecordedChangeSet[]): PathEffect[] {
  const effects = new Map<string, PathEffect>();
  const touch = (path: string, before: string | null, after: string | null) => {
    const known = effects.get(path);
    if (known) known.current = after;
    else effects.set(path, { path, original: before, current: after });
  };
  for (const set of sets) {
    for (const change of set.changes) {
      if (change.kind === 'move' && change.from !== undefined) {
        touch(change.from, change.before, null);
        touch(change.path, null, change.after);
      } else {
        touch(change.path, change.before, change.after);
      }
    }
  }
  return [...effects.values()].filter((e) => e.original !== e.current);
}

export type RevertPlan =
  | { ok: true; restore: { path: string; text: string }[]; remove: string[] }
  /** Files changed since the turn: reverting would lose that work, so nothing is done. */
  | { ok: false; conflicts: string[] };

/** Checks that every file is still as the turn left it, and works out how to restore it. */
export async function planRevert(sets: readonly RecordedChangeSet[], workspace: Pick<Workspace, 'readText' | 'exists'>): Promise<RevertPlan> {
  const restore: { path: string; text: string }[] = [];
  const remove: string[] = [];
  const conflicts: string[] = [];
  for (const effect of netEffects(sets)) {
    const kind = await workspace.exists(effect.path);
    const now = kind === 'file' ? await workspace.readText(effect.path) : null;
    if (kind === 'directory' || now !== effect.current) {
      conflicts.push(`${effect.path} (${describeDrift(effect.current, kind === 'directory' ? 'a directory' : now)})`);
      continue;
    }
    if (effect.original === null) remove.push(effect.path);
    else restore.push({ path: effect.path, text: effect.original });
  }
  return conflicts.length > 0 ? { ok: false, conflicts } : { ok: true, restore, remove };
}

function describeDrift(expected: string | null, now: string | null): string {
  if (expected === null) return now === null ? 'unchanged' : 'created again since';
  if (now === null) return 'deleted since';
  if (now === 'a directory') return 'now a directory';
  return 'changed since';
}

/** Carries out a plan: contents first, then removals, so a failure midway loses no text. Folders
 *  that removing the turn's new files left empty go too (a revert of "add calc/src/sum.js" should
 *  not leave an empty calc/src/ behind). */
export async function applyRevert(plan: Extract<RevertPlan, { ok: true }>, workspace: Pick<Workspace, 'writeText' | 'remove' | 'removeEmptyDirectory'>): Promise<number> {
  for (const { path, text } of plan.restore) await workspace.writeText(path, text);
  for (const path of plan.remove) await workspace.remove(path);
  if (workspace.removeEmptyDirectory) {
    const parents = new Set<string>();
    for (const path of plan.remove) {
      const parts = path.split('/');
      for (let i = parts.length - 1; i > 0; i--) parents.add(parts.slice(0, i).join('/'));
    }
    // Deepest first, so a parent is tried once its children are gone.
    for (const dir of [...parents].sort((a, b) => b.split('/').length - a.split('/').length)) await workspace.removeEmptyDirectory(dir);
  }
  return plan.restore.length + plan.remove.length;
}
