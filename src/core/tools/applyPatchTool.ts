// apply_patch: the Codex patch format, over src/core/patch. prepare parses and plans the whole
// patch (every path resolved, every hunk matched, every new content computed), so a patch that
// cannot apply is refused before anyone is asked to approve it, with the file, hunk and patch
// line to fix; run carries the plan out all-or-nothing.

import { applyPlan, PatchPlanError, planPatch, type PatchPlan, type PlannedChange } from '../patch/applyPatch.ts';
import { PatchParseError, parsePatch } from '../patch/parsePatch.ts';
import { plural, toolFailure } from './toolOutput.ts';
import { refuseUnknownArguments, requiredString } from './toolArguments.ts';
import type { FileChange } from './toolContract.ts';
import { ready, rejected, type Tool } from './toolModule.ts';

const FORMAT = [
  '*** Begin Patch',
  '*** Add File: path/new.txt',
  '+every line of the new file, each prefixed with +',
  '*** Update File: path/old.ts',
  '*** Move to: path/renamed.ts   (optional)',
  '@@ function load() {   (optional: a line of the file above the change, to place the hunk)',
  ' context line, unchanged (prefix: one space)',
  '-line removed',
  '+line added',
  '*** Delete File: path/gone.txt',
  '*** End Patch',
].join('\n');

export const applyPatchTool: Tool = {
  definition: {
    type: 'function',
    name: 'apply_patch',
    description:
      'Change files in the workspace with a patch: add, update, move and delete files in one all-or-nothing step. ' +
      'Hunks are located by their context lines, not line numbers: give about 3 unchanged lines before and after each change, ' +
      'exactly as they are in the file (use "@@ <line>" to say which function or block a change is in when the context repeats). ' +
      'A patch that does not apply changes nothing, and the error names the file, hunk and patch line to fix. Format:\n' +
      FORMAT,
    parameters: {
      type: 'object',
      properties: { patch: { type: 'string', description: "The whole patch, from '*** Begin Patch' to '*** End Patch'." } },
      required: ['patch'],
      additionalProperties: false,
    },
  },

  async prepare(args, { workspace }) {
    refuseUnknownArguments(args, ['patch']);
    const text = requiredString(args, 'patch');
    let plan: PatchPlan;
    try {
      plan = await planPatch(parsePatch(text), workspace);
    } catch (error) {
      // Both errors already say that nothing changed, where, and what was expected.
      if (error instanceof PatchParseError) return rejected(toolFailure('apply_patch', `the patch is malformed, nothing was changed: ${error.message}`));
      if (error instanceof PatchPlanError) return rejected(toolFailure('apply_patch', error.message));
      throw error;
    }
    const changes = plan.changes.map(toFileChange);
    return ready({
      access: 'write',
      summary: `apply_patch: ${describeCounts(plan)}`,
      detail: changes.map((c) => c.diff).join(''),
      run: async () => {
        const result = await applyPlan(plan, workspace);
        switch (result.status) {
          case 'applied':
            return { output: [`Applied the patch (${describeCounts(plan)}):`, result.summary, ...looseMatchNotes(plan)].join('\n'), changes };
          case 'stale':
            return { output: toolFailure('apply_patch', `${result.message}; read the files again and make a new patch`), changes: [] };
          case 'rolled-back':
            return { output: toolFailure('apply_patch', result.message), changes: [] };
          case 'partial':
            // The files left changed are the ones that could not be put back; report those, so
            // the transcript can show (and undo) what did happen.
            return {
              output: toolFailure('apply_patch', result.message),
              changes: changes.filter((c) => result.unrestored.includes(c.path) || (c.from !== undefined && result.unrestored.includes(c.from))),
            };
        }
      },
    });
  },
};

export function toFileChange(change: PlannedChange): FileChange {
  switch (change.kind) {
    case 'add':
      return { path: change.path, kind: 'add', before: null, after: change.after, diff: change.diff };
    case 'update':
      return { path: change.path, kind: 'update', before: change.before, after: change.after, diff: change.diff };
    case 'move':
      return { path: change.path, kind: 'move', from: change.from, before: change.before, after: change.after, diff: change.diff };
    case 'delete':
      return { path: change.path, kind: 'delete', before: change.before, after: null, diff: change.diff };
  }
}

/** "add 2 files, update 1, delete 1", in a fixed order. */
function describeCounts(plan: PatchPlan): string {
  const count = (kind: PlannedChange['kind']) => plan.changes.filter((c) => c.kind === kind).length;
  const parts: string[] = [];
  let first = true;
  for (const [kind, verb] of [
    ['add', 'add'],
    ['update', 'update'],
    ['move', 'move'],
    ['delete', 'delete'],
  ] as const) {
    const n = count(kind);
    if (n === 0) continue;
    parts.push(first ? `${verb} ${plural(n, 'file')}` : `${verb} ${n}`);
    first = false;
  }
  return parts.join(', ');
}

/** Hunks placed by a whitespace-tolerant match: worth knowing, as the context was not exact. */
function looseMatchNotes(plan: PatchPlan): string[] {
  const notes: string[] = [];
  for (const change of plan.changes) {
    if (change.kind !== 'update' && change.kind !== 'move') continue;
    for (const placement of change.hunks) {
      if (placement.quality === 'exact') continue;
      const ignoring = placement.quality === 'trailing-whitespace' ? 'trailing whitespace' : 'leading and trailing whitespace';
      notes.push(`(hunk ${placement.hunk} of ${change.path} matched at line ${placement.line} ignoring ${ignoring})`);
    }
  }
  return notes;
}
