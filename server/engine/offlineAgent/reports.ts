// The offline agent's words: the report once a turn's tool calls are done, and the help answer
// when there is nothing to do. Both say plainly that no model is connected.
import type { Turn, TurnCall } from './conversation.ts';
import { outputText } from './conversation.ts';
import { SUM_TRY_CODE } from './demoProject.ts';
import type { IntentPlan, PlannedCall } from './intentPlan.ts';
import { codeBlock, inlineCode, plural, quote, truncate } from './markdown.ts';
import { outcomeOf, type CallOutcome } from './outcome.ts';
import { APPLY_PATCH_TOOL, READ_FILE_TOOL, RUN_JS_TOOL, TOOL_ACCESS } from './toolNames.ts';

/** Longest tool output quoted in a report; the rest is summarised by its length. */
const REPORT_OUTPUT_MAX_CHARS = 1500;
/** Longest arguments shown for a call the agent did not plan (a scripted or earlier model's call). */
const FOREIGN_ARGUMENTS_MAX_CHARS = 200;
/** Longest user request echoed back. */
const ECHO_MAX_CHARS = 400;

export const OFFLINE_FOOTER = '_Switchboard offline engine: results shown as-is, no model is connected._';

export const CONNECT_HELP = [
  'To connect a real model, restart `npm start` with:',
  '- `OPENAI_API_KEY=sk-…` to use the OpenAI API, or',
  '- `OPENAI_BASE_URL=http://host:port/v1` for any Responses-compatible server (add `OPENAI_API_KEY` if it needs one).',
].join('\n');

/** The phrases of offlineAgent.ts, as the user reads them. */
const PHRASES = [
  '- `list files` (or `list files in src`), `read README.md`',
  '- `grep TODO in src`, `search for "sum(" in *.js`',
  '- `create a small project`, `make a todo app`, `scaffold my-app`: a small JS project in one `apply_patch`',
  '- `write notes.md: some text`, or `write notes.md` followed by a fenced block',
  '- `add a line "hello" to notes.md`: I read the file, then patch it from what I read',
  '- `rename a.txt to b.txt`, `move a.txt into docs`, `delete b.txt`',
  '- ``run `1 + 2` ``, or `run this:` followed by a fenced js block',
  '',
  'Several asks can share a message: one per line, or joined with "and" / "then".',
].join('\n');

/** Everything the turn's calls returned, then what comes next for each intent. */
export function turnReport(turn: Turn, plans: readonly IntentPlan[], declared: ReadonlySet<string>, callLimit?: number): string {
  const planned = new Map<TurnCall, PlannedCall>();
  for (const plan of plans) for (const { planned: call, turnCall } of plan.made) planned.set(turnCall, call);
  const sections = [
    ...turn.calls.map((turnCall) => callSection(turnCall, planned.get(turnCall))),
    ...turn.orphanOutputs.map((output) => `**call \`${output.call_id}\`**\n\n${outputBlock(outputText(output))}`),
  ];
  const heading = sections.length === 1 ? 'Here is what the tool returned:' : `Here is what the ${sections.length} tools returned:`;
  const notes = plans.flatMap((plan) => intentNotes(plan, declared));
  if (callLimit !== undefined) notes.push(`I stopped after ${plural(callLimit, 'tool call')} in this turn; ask again to go on.`);
  return [heading, ...sections, ...notes, OFFLINE_FOOTER].join('\n\n');
}

/** The answer when there is nothing to call: what the offline engine is, and what it understands. */
export function helpAnswer(request: string, plans: readonly IntentPlan[], declared: ReadonlySet<string>): string {
  const parts = ["**Switchboard's offline engine** answered: no model is connected, so I can't really think about your request."];
  if (request.trim() !== '') parts.push(`You asked:\n\n${quote(truncate(request.trim(), ECHO_MAX_CHARS))}`);
  parts.push(...plans.flatMap((plan) => intentNotes(plan, declared)));
  const tools = [...declared].sort();
  parts.push(
    tools.length === 0
      ? 'This client declared no tools, so I can only answer in text.'
      : `I understand a few phrases and act only through the tools this client declared (${tools.map((tool) => `\`${tool}\``).join(', ')}):\n${PHRASES}`,
  );
  parts.push(CONNECT_HELP);
  return parts.join('\n\n');
}

function callSection({ call, output }: TurnCall, planned: PlannedCall | undefined): string {
  const label = planned?.label ?? inlineCode(truncate(call.arguments, FOREIGN_ARGUMENTS_MAX_CHARS));
  const status = output === undefined ? undefined : statusWord(call.name, output);
  const title = `**\`${call.name}\`** ${label}${status ? `: **${status}**` : ''}`;
  return `${title}\n\n${output === undefined ? '_(no output came back)_' : outputBlock(output)}`;
}

/** Writes and runs always get a verdict; reads only when they failed. */
function statusWord(tool: string, output: string): string | undefined {
  const outcome: CallOutcome = outcomeOf(output, tool);
  if (outcome === 'denied') return /denied/i.test(output) ? 'denied' : 'not run';
  if (outcome === 'failed') return 'failed';
  const access = TOOL_ACCESS[tool];
  if (access === 'write') return 'applied';
  if (access === 'execute') return 'ran';
  return undefined;
}

function outputBlock(text: string): string {
  const shown = text.length > REPORT_OUTPUT_MAX_CHARS
    ? `${text.slice(0, REPORT_OUTPUT_MAX_CHARS)}\n… (${text.length - REPORT_OUTPUT_MAX_CHARS} more characters)`
    : text;
  return codeBlock(shown);
}

/** What the user should know about one intent beyond the outputs: why it was skipped, what is missing, what to do next. */
function intentNotes(plan: IntentPlan, declared: ReadonlySet<string>): string[] {
  const { intent } = plan;
  const ask = `“${truncate(intent.ask, 120)}”`;
  if (plan.unavailable) return [`I skipped ${ask}: ${plan.unavailable}`];
  if (intent.kind === 'incomplete') return [`About ${ask}: ${intent.hint}`];
  const outcomes = plan.made.map(({ planned, turnCall }) => (turnCall.output === undefined ? 'failed' : outcomeOf(turnCall.output, planned.name)));
  if (intent.kind === 'append' && plan.pending.length === 0 && plan.made.length === 1 && plan.made[0]!.planned.name === READ_FILE_TOOL) {
    return [`I could not read ${inlineCode(intent.path)}, so I did not change it.`];
  }
  if (intent.kind !== 'scaffold' || plan.made.length === 0) return [];
  const folder = inlineCode(`${intent.folder}/`);
  if (outcomes.includes('denied')) {
    return [`The change did not run (its output above says why), so nothing was written. Ask again whenever you like, or name another folder: \`create a project called ${intent.folder}-2\`.`];
  }
  if (outcomes.includes('failed')) {
    return [`The project was not created (the output above says why), and a failed patch changes nothing. If ${folder} already exists, name another folder: \`create a project called ${intent.folder}-2\`.`];
  }
  return [`The project is in ${folder}.`, nextSteps(intent.folder, declared)];
}

function nextSteps(folder: string, declared: ReadonlySet<string>): string {
  const steps = [
    `- Look at it: \`list files in ${folder}\`, \`read ${folder}/src/sum.js\`.`,
    declared.has(APPLY_PATCH_TOOL) && declared.has(READ_FILE_TOOL)
      ? `- Change it: \`add a line "Edited in Switchboard." to ${folder}/README.md\` (I read the file first, then patch it).`
      : undefined,
    `- Download the workspace as a zip, then run \`npm test\` in \`${folder}/\` and serve \`index.html\` on your machine.`,
  ].filter((step): step is string => step !== undefined);
  const parts = ['**Next steps**', steps.join('\n')];
  if (declared.has(RUN_JS_TOOL)) {
    parts.push(
      'Or try `sum` right here with run_js. It runs in a sandbox that cannot see the workspace, so the code brings the function along; send:',
      codeBlock(`run this:\n${codeBlock(SUM_TRY_CODE, 'js')}`),
    );
  }
  return parts.join('\n\n');
}
