// Works out, for one intent, which tool calls it needs and which of them the turn already made.
// Stateless: a call counts as made when the turn holds a call with exactly its name and
// arguments, so a multi-step intent ("add a line …": read_file, then apply_patch from what was
// read) is resumed from the conversation alone, one step per response.
import { findCall, type Turn, type TurnCall } from './conversation.ts';
import { demoProjectFiles } from './demoProject.ts';
import type { Intent } from './intents.ts';
import { inlineCode, oneLine, plural, truncate } from './markdown.ts';
import { outcomeOf } from './outcome.ts';
import { addFilesPatch, appendLinesPatch, deleteFilePatch, moveFilePatch } from './patches.ts';
import { fileFromReadOutput, tailContext } from './readOutput.ts';
import {
  APPLY_PATCH_TOOL,
  GREP_TOOL,
  LIST_FILES_TOOL,
  READ_FILE_TOOL,
  RUN_JS_TOOL,
  TOOL_ACCESS,
  WRITE_FILE_TOOL,
  type CallAccess,
} from './toolNames.ts';

export interface PlannedCall {
  name: string;
  /** JSON text, as it travels in `function_call.arguments`. */
  arguments: string;
  access: CallAccess;
  /** Workspace paths (a folder stands for everything under it; '' for the root) the call reads
   *  or changes: decides which calls may share one response. */
  paths: string[];
  /** Markdown after the tool's name in reports, e.g. "create `demo-project/` (6 files)". */
  label: string;
}

export interface IntentPlan {
  intent: Intent;
  /** The intent's calls already made in this turn, in order, with what came back. */
  made: { planned: PlannedCall; turnCall: TurnCall }[];
  /** Calls to make next; empty when the intent is finished or cannot go on. */
  pending: PlannedCall[];
  /** Said before the pending calls go out, when there is something worth saying. */
  preface?: string;
  /** Why the intent cannot be carried out with the tools this client declared. */
  unavailable?: string;
}

const LONG_CODE_LABEL_CHARS = 80;

export function planIntent(intent: Intent, declared: ReadonlySet<string>, turn: Turn): IntentPlan {
  const plan: IntentPlan = { intent, made: [], pending: [] };
  /** Sorts calls into made and pending; true when all of them were made. */
  const stage = (calls: PlannedCall[]): boolean => {
    for (const planned of calls) {
      const turnCall = findCall(turn, planned.name, planned.arguments);
      if (turnCall) plan.made.push({ planned, turnCall });
      else plan.pending.push(planned);
    }
    return plan.pending.length === 0;
  };
  const missing = (...tools: string[]): IntentPlan => ({ ...plan, unavailable: needs(tools) });

  switch (intent.kind) {
    case 'list':
      if (!declared.has(LIST_FILES_TOOL)) return missing(LIST_FILES_TOOL);
      stage([readCall(LIST_FILES_TOOL, { path: intent.path }, [intent.path])]);
      return plan;
    case 'read':
      if (!declared.has(READ_FILE_TOOL)) return missing(READ_FILE_TOOL);
      stage([readCall(READ_FILE_TOOL, { path: intent.path }, [intent.path])]);
      return plan;
    case 'grep': {
      if (!declared.has(GREP_TOOL)) return missing(GREP_TOOL);
      const args = { pattern: intent.pattern, ...(intent.path === undefined ? {} : { path: intent.path }), ...(intent.glob === undefined ? {} : { glob: intent.glob }) };
      stage([readCall(GREP_TOOL, args, [intent.path ?? ''])]);
      return plan;
    }
    case 'run':
      if (!declared.has(RUN_JS_TOOL)) return missing(RUN_JS_TOOL);
      stage([call(RUN_JS_TOOL, { code: intent.code }, [], inlineCode(truncate(oneLine(intent.code), LONG_CODE_LABEL_CHARS)))]);
      return plan;
    case 'write':
      if (declared.has(WRITE_FILE_TOOL)) {
        stage([writeFileCall(intent.path, intent.content)]);
      } else if (declared.has(APPLY_PATCH_TOOL)) {
        // Add File creates only: a file that exists makes the patch fail, which the report says.
        stage([patchCall(addFilesPatch([{ path: intent.path, content: intent.content }]), [intent.path], `add ${inlineCode(intent.path)}`)]);
      } else return missing(WRITE_FILE_TOOL, APPLY_PATCH_TOOL);
      return plan;
    case 'delete':
      if (!declared.has(APPLY_PATCH_TOOL)) return missing(APPLY_PATCH_TOOL);
      stage([patchCall(deleteFilePatch(intent.path), [intent.path], `delete ${inlineCode(intent.path)}`)]);
      return plan;
    case 'move':
      if (!declared.has(APPLY_PATCH_TOOL)) return missing(APPLY_PATCH_TOOL);
      stage([patchCall(moveFilePatch(intent.from, intent.to), [intent.from, intent.to], `move ${inlineCode(intent.from)} to ${inlineCode(intent.to)}`)]);
      return plan;
    case 'scaffold': {
      const files = demoProjectFiles(intent.folder);
      const folder = inlineCode(`${intent.folder}/`);
      if (declared.has(APPLY_PATCH_TOOL)) {
        plan.preface = `Creating a small JavaScript project in ${folder} with one \`apply_patch\` (${plural(files.length, 'file')}).`;
        stage([patchCall(addFilesPatch(files), [intent.folder], `create ${folder} (${plural(files.length, 'file')})`)]);
      } else if (declared.has(WRITE_FILE_TOOL)) {
        plan.preface = `This client declared no \`apply_patch\`, so I'm writing the ${plural(files.length, 'file')} of ${folder} with \`write_file\`.`;
        stage(files.map((file) => writeFileCall(file.path, file.content)));
      } else return missing(APPLY_PATCH_TOOL, WRITE_FILE_TOOL);
      return plan;
    }
    case 'append':
      return planAppend(intent, declared, plan, stage);
    case 'incomplete':
      return plan;
  }
}

/** read_file, then a patch whose hunk quotes the file's real last lines (or write_file with the
 *  whole new content when only that is declared). Without read_file the hunk has no context. */
function planAppend(
  intent: Extract<Intent, { kind: 'append' }>,
  declared: ReadonlySet<string>,
  plan: IntentPlan,
  stage: (calls: PlannedCall[]) => boolean,
): IntentPlan {
  const canPatch = declared.has(APPLY_PATCH_TOOL);
  const canRead = declared.has(READ_FILE_TOOL);
  const path = inlineCode(intent.path);
  const lines = intent.text.split('\n').length;
  const label = `append ${plural(lines, 'line')} to ${path}`;
  if (!canPatch && !(canRead && declared.has(WRITE_FILE_TOOL))) return { ...plan, unavailable: needs([APPLY_PATCH_TOOL]) };
  if (!canRead) {
    plan.preface = `This client declared no \`read_file\`, so the patch for ${path} cannot quote the file: its hunk adds the line at the end without context.`;
    stage([patchCall(appendLinesPatch(intent.path, intent.text, null), [intent.path], label)]);
    return plan;
  }
  if (!stage([readCall(READ_FILE_TOOL, { path: intent.path }, [intent.path])])) {
    plan.preface = `Reading ${path} first, so the change is built from its real content.`;
    return plan;
  }
  const output = plan.made.at(-1)!.turnCall.output;
  // A read that failed ends the intent here; the report quotes why.
  if (output === undefined || outcomeOf(output) !== 'ok') return plan;
  const file = fileFromReadOutput(output);
  if (canPatch) {
    const tail = tailContext(file);
    plan.preface = tail
      ? `Read ${path} (${plural(file.lines.length, 'line')}). Now the patch: its hunk quotes the last ${plural(tail.lines.length, 'line')} I read as context and adds yours after them.`
      : `Read ${path}. ${file.complete ? 'It has no lines to quote' : 'read_file showed only part of it'}, so the hunk adds yours at the end without context.`;
    stage([patchCall(appendLinesPatch(intent.path, intent.text, tail), [intent.path], label)]);
    return plan;
  }
  if (!file.complete) return { ...plan, unavailable: `read_file showed only part of ${path}, and without \`apply_patch\` I would have to rewrite it whole.` };
  plan.preface = `Read ${path}. This client declared no \`apply_patch\`, so I'm writing it back whole with your line added.`;
  stage([writeFileCall(intent.path, [...file.lines, ...intent.text.split('\n')].join('\n') + '\n')]);
  return plan;
}

function call(name: string, args: Record<string, unknown>, paths: string[], label: string): PlannedCall {
  return { name, arguments: JSON.stringify(args), access: TOOL_ACCESS[name] ?? 'execute', paths, label };
}

/** Read calls keep the report format `name` `{"path":…}`: their arguments say it all. */
function readCall(name: string, args: Record<string, unknown>, paths: string[]): PlannedCall {
  return call(name, args, paths, inlineCode(JSON.stringify(args)));
}

function patchCall(patch: string, paths: string[], label: string): PlannedCall {
  return call(APPLY_PATCH_TOOL, { patch }, paths, label);
}

function writeFileCall(path: string, content: string): PlannedCall {
  return call(WRITE_FILE_TOOL, { path, content }, [path], `${inlineCode(path)} (${plural(content.length, 'character')})`);
}

function needs(tools: string[]): string {
  const names = tools.map((tool) => `\`${tool}\``);
  return tools.length === 1
    ? `it needs ${names[0]}, which this client did not declare.`
    : `it needs ${names.slice(0, -1).join(', ')} or ${names.at(-1)}, and this client declared neither.`;
}
