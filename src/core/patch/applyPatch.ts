// Turns a parsed patch into a plan against a workspace, and carries a plan out.
//
// planPatch only reads: it resolves every path, checks every file's existence and matches every
// hunk before returning, so a plan is a complete, already-validated description of the change
// (with the new contents and a diff per file) that can wait for a person's approval.
// applyPlan writes. OPFS has no transactions, so it gets as close to all-or-nothing as it can:
// it first checks that nothing changed since planning, writes new contents before removing
// anything, and on a failure puts back every file it touched from the originals in the plan.

import { resolveWorkspacePath, type Workspace } from '../workspace.ts';
import { applyHunks, type HunkPlacement } from './applyHunks.ts';
import type { FileOperation, Patch } from './parsePatch.ts';
import { splitLines } from './textLines.ts';
import { unifiedDiff } from './unifiedDiff.ts';

/** What planning needs: the workspace itself will do. */
export type PatchReader = Pick<Workspace, 'readText' | 'exists'>;
/** What applying needs. */
export type PatchWriter = Pick<Workspace, 'readText' | 'exists' | 'writeText' | 'remove'>;

/** One file's change; paths are resolved (workspace-relative, '/'-separated). */
export type PlannedChange =
  | { kind: 'add'; path: string; after: string; diff: string }
  | { kind: 'update'; path: string; before: string; after: string; hunks: HunkPlacement[]; diff: string }
  | { kind: 'move'; from: string; path: string; before: string; after: string; hunks: HunkPlacement[]; diff: string }
  | { kind: 'delete'; path: string; before: string; diff: string };

export interface PatchPlan {
  /** In patch order. */
  changes: PlannedChange[];
}

export interface PatchProblem {
  /** The file the problem is about, as written in the patch. */
  path: string;
  /** 1-based hunk number within that file's operation, when a hunk is at fault. */
  hunk: number | null;
  /** The patch line to fix. */
  patchLine: number;
  message: string;
}

/** Every problem planning found; nothing was written. */
export class PatchPlanError extends Error {
  constructor(readonly problems: PatchProblem[]) {
    super(`the patch cannot be applied, nothing was changed:\n${problems.map((p) => `- ${describeProblem(p)}`).join('\n')}`);
    this.name = 'PatchPlanError';
  }
}

export function describeProblem({ path, hunk, patchLine, message }: PatchProblem): string {
  return `${path}${hunk === null ? '' : `, hunk ${hunk}`} (patch line ${patchLine}): ${message}`;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** A path as the workspace will see it, or a problem. */
function resolveOrProblem(raw: string, patchLine: number, problems: PatchProblem[]): string | null {
  try {
    const path = resolveWorkspacePath(raw);
    if (path !== '') return path;
    problems.push({ path: raw, hunk: null, patchLine, message: 'names the workspace root, not a file' });
  } catch (error) {
    problems.push({ path: raw, hunk: null, patchLine, message: errorText(error) });
  }
  return null;
}

/** A file the patch creates must not exist, and no parent of it may be a file. */
async function checkCreatable(reader: PatchReader, raw: string, path: string, patchLine: number): Promise<PatchProblem | null> {
  const problem = (message: string): PatchProblem => ({ path: raw, hunk: null, patchLine, message });
  const kind = await reader.exists(path);
  if (kind !== null) return problem(kind === 'file' ? `"${path}" already exists` : `"${path}" is a directory`);
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const parent = parts.slice(0, i).join('/');
    if ((await reader.exists(parent)) === 'file') return problem(`cannot create "${path}": "${parent}" is a file`);
  }
  return null;
}

/** The current text of a file the patch changes or deletes, or a problem. */
async function readExisting(reader: PatchReader, raw: string, path: string, patchLine: number): Promise<string | PatchProblem> {
  const kind = await reader.exists(path);
  if (kind !== 'file') return { path: raw, hunk: null, patchLine, message: kind === 'directory' ? `"${path}" is a directory, not a file` : `no file "${path}"` };
  try {
    return await reader.readText(path);
  } catch (error) {
    return { path: raw, hunk: null, patchLine, message: `cannot read "${path}": ${errorText(error)}` };
  }
}

interface ResolvedOperation {
  op: FileOperation;
  path: string;
  /** The resolved "Move to" path; null when the operation does not move. */
  moveTo: string | null;
}

async function planOperation(reader: PatchReader, { op, path, moveTo }: ResolvedOperation): Promise<PlannedChange | PatchProblem[]> {
  switch (op.kind) {
    case 'add': {
      const problem = await checkCreatable(reader, op.path, path, op.line);
      if (problem) return [problem];
      // Added files end with a newline, as in Codex: every "+" line is a whole line.
      const after = op.lines.length === 0 ? '' : `${op.lines.join('\n')}\n`;
      const diff = unifiedDiff(null, { path, finalNewline: true }, op.lines.map((text) => ({ kind: 'add', text })));
      return { kind: 'add', path, after, diff };
    }
    case 'delete': {
      const before = await readExisting(reader, op.path, path, op.line);
      if (typeof before !== 'string') return [before];
      const { lines, finalNewline } = splitLines(before);
      return { kind: 'delete', path, before, diff: unifiedDiff({ path, finalNewline }, null, lines.map(({ text }) => ({ kind: 'remove', text }))) };
    }
    case 'update': {
      const problems: PatchProblem[] = [];
      const before = await readExisting(reader, op.path, path, op.line);
      if (typeof before !== 'string') problems.push(before);
      if (op.moveTo && moveTo !== null) {
        const problem = await checkCreatable(reader, op.moveTo.path, moveTo, op.moveTo.line);
        if (problem) problems.push(problem);
      }
      if (typeof before !== 'string') return problems;
      const result = applyHunks(before, op.hunks);
      if (!result.ok) problems.push({ path: op.path, hunk: result.hunk, patchLine: result.patchLine, message: result.reason });
      if (problems.length > 0 || !result.ok) return problems;
      const { finalNewline } = result;
      const diff = unifiedDiff({ path, finalNewline }, { path: moveTo ?? path, finalNewline }, result.diff);
      if (moveTo === null) return { kind: 'update', path, before, after: result.text, hunks: result.placements, diff };
      return { kind: 'move', from: path, path: moveTo, before, after: result.text, hunks: result.placements, diff };
    }
  }
}

/** Resolves every path and refuses two operations on one file, or a new file inside another. */
function resolvePaths(patch: Patch, problems: PatchProblem[]): ResolvedOperation[] {
  const resolved: ResolvedOperation[] = [];
  const claimed = new Map<string, number>();
  const created: { path: string; raw: string; line: number }[] = [];
  const claim = (raw: string, line: number, creates: boolean): string | null => {
    const path = resolveOrProblem(raw, line, problems);
    if (path === null) return null;
    const first = claimed.get(path);
    if (first !== undefined) problems.push({ path: raw, hunk: null, patchLine: line, message: `"${path}" is already changed by the operation on patch line ${first}` });
    else claimed.set(path, line);
    if (creates) created.push({ path, raw, line });
    return path;
  };
  for (const op of patch.operations) {
    const path = claim(op.path, op.line, op.kind === 'add');
    const moveTo = op.kind === 'update' && op.moveTo ? claim(op.moveTo.path, op.moveTo.line, true) : null;
    if (path !== null && (op.kind !== 'update' || !op.moveTo || moveTo !== null)) resolved.push({ op, path, moveTo });
  }
  for (const inner of created) {
    const outer = created.find((c) => inner.path.startsWith(`${c.path}/`));
    if (outer) problems.push({ path: inner.raw, hunk: null, patchLine: inner.line, message: `cannot create "${inner.path}": the patch also creates "${outer.path}" as a file` });
  }
  return resolved;
}

/** Validates the whole patch against the workspace and computes every file's new content.
 *  Reads only. Throws a PatchPlanError listing every problem found. */
export async function planPatch(patch: Patch, reader: PatchReader): Promise<PatchPlan> {
  const problems: PatchProblem[] = [];
  const planned = await Promise.all(
    resolvePaths(patch, problems).map((resolved) =>
      // A storage error (a revoked permission…) is one more problem to report, not a crash.
      planOperation(reader, resolved).catch((error: unknown): PatchProblem[] => [{ path: resolved.op.path, hunk: null, patchLine: resolved.op.line, message: errorText(error) }]),
    ),
  );
  const changes: PlannedChange[] = [];
  for (const result of planned) {
    if (Array.isArray(result)) problems.push(...result);
    else changes.push(result);
  }
  if (problems.length > 0) throw new PatchPlanError(problems.sort((a, b) => a.patchLine - b.patchLine));
  return { changes };
}

/** One line per file, git-style: A added, M modified (moves name both paths), D deleted. */
export function summarizePlan(plan: PatchPlan): string {
  return plan.changes
    .map((change) => {
      switch (change.kind) {
        case 'add':
          return `A ${change.path}`;
        case 'update':
          return `M ${change.path}`;
        case 'move':
          return `M ${change.path} (moved from ${change.from})`;
        case 'delete':
          return `D ${change.path}`;
      }
    })
    .join('\n');
}

export type ApplyResult =
  | { status: 'applied'; summary: string }
  /** A file changed after planning; nothing was written. Plan again. */
  | { status: 'stale'; message: string }
  /** A write failed; every file touched was put back as it was. */
  | { status: 'rolled-back'; message: string }
  /** A write failed and putting some files back failed too: those may be left changed. */
  | { status: 'partial'; message: string; unrestored: string[] };

/** One workspace step, with the state its path had before: null = no file there. */
interface Step {
  action: 'write' | 'remove';
  path: string;
  original: string | null;
  run: (workspace: PatchWriter) => Promise<void>;
}

/** Writes first, removals last: a failure while writing leaves every original file in place,
 *  and moved files exist at both paths rather than at neither. */
function stepsOf(plan: PatchPlan): Step[] {
  const writes: Step[] = [];
  const removals: Step[] = [];
  for (const change of plan.changes) {
    switch (change.kind) {
      case 'add':
        writes.push({ action: 'write', path: change.path, original: null, run: (w) => w.writeText(change.path, change.after) });
        break;
      case 'update':
        writes.push({ action: 'write', path: change.path, original: change.before, run: (w) => w.writeText(change.path, change.after) });
        break;
      case 'move':
        writes.push({ action: 'write', path: change.path, original: null, run: (w) => w.writeText(change.path, change.after) });
        removals.push({ action: 'remove', path: change.from, original: change.before, run: (w) => w.remove(change.from) });
        break;
      case 'delete':
        removals.push({ action: 'remove', path: change.path, original: change.before, run: (w) => w.remove(change.path) });
        break;
    }
  }
  return [...writes, ...removals];
}

/** Puts `path` back to `original`, touching it only if it differs (the failed step itself may
 *  or may not have happened, and OPFS may have created an empty file before a failed write). */
async function restore(workspace: PatchWriter, { path, original }: Step): Promise<void> {
  const kind = await workspace.exists(path);
  if (original === null) {
    if (kind === 'file') await workspace.remove(path);
    return;
  }
  if (kind === 'file' && (await workspace.readText(path)) === original) return;
  await workspace.writeText(path, original);
}

/** The files whose current state is not what the plan was made from. */
async function staleFiles(plan: PatchPlan, workspace: PatchWriter): Promise<string[]> {
  const stale = await Promise.all(
    stepsOf(plan).map(async ({ path, original }) => {
      const kind = await workspace.exists(path);
      if (original === null) return kind === null ? null : path;
      return kind === 'file' && (await workspace.readText(path)) === original ? null : path;
    }),
  );
  return stale.filter((path): path is string => path !== null);
}

/** Carries out a plan. Never rejects: the result says what happened to the workspace. */
export async function applyPlan(plan: PatchPlan, workspace: PatchWriter): Promise<ApplyResult> {
  // A plan may wait minutes for approval; never overwrite what someone changed meanwhile.
  let stale: string[];
  try {
    stale = await staleFiles(plan, workspace);
  } catch (error) {
    return { status: 'stale', message: `could not check the files before writing, nothing was changed: ${errorText(error)}` };
  }
  if (stale.length > 0) return { status: 'stale', message: `changed since the patch was checked, nothing was changed: ${stale.map((p) => `"${p}"`).join(', ')}` };

  const steps = stepsOf(plan);
  for (const [i, step] of steps.entries()) {
    try {
      await step.run(workspace);
    } catch (error) {
      const failure = `could not ${step.action} "${step.path}": ${errorText(error)}`;
      const unrestored: { path: string; error: string }[] = [];
      // Newest first, the failed step included, so each file returns to its planned original.
      for (const done of steps.slice(0, i + 1).reverse()) {
        try {
          await restore(workspace, done);
        } catch (restoreError) {
          unrestored.push({ path: done.path, error: errorText(restoreError) });
        }
      }
      if (unrestored.length === 0) return { status: 'rolled-back', message: `${failure}; every file was put back, nothing was changed` };
      const list = unrestored.map((u) => `"${u.path}" (${u.error})`).join(', ');
      return { status: 'partial', message: `${failure}; putting files back failed for ${list}: they may be left changed`, unrestored: unrestored.map((u) => u.path) };
    }
  }
  return { status: 'applied', summary: summarizePlan(plan) };
}
