// The embedded engine's "model": a tiny rule-based agent. It is pure (conversation in, planned
// output out) so the whole app — streaming, tool calls, tool results, compaction — works end to
// end without an API key, and so its answers are predictable in tests.
import {
  isFunctionCall,
  messageText,
  userMessage,
  type FunctionCallOutputItem,
  type FunctionTool,
  type Item,
} from '../../src/core/wire.ts';

export interface AgentToolCall {
  name: string;
  /** JSON text, as it travels in `function_call.arguments`. */
  arguments: string;
}

/** What the agent wants to say and do in one response; either part may be empty. */
export interface AgentReply {
  text: string;
  toolCalls: AgentToolCall[];
}

export const LIST_FILES_TOOL = 'list_files';
export const READ_FILE_TOOL = 'read_file';

/** Longest tool output quoted in a report; the rest is summarised by its length. */
const REPORT_OUTPUT_MAX_CHARS = 1500;
/** Longest user request echoed back. */
const ECHO_MAX_CHARS = 400;

const CONNECT_HELP = [
  'To connect a real model, restart `npm start` with:',
  '- `OPENAI_API_KEY=sk-…` to use the OpenAI API, or',
  '- `OPENAI_BASE_URL=http://host:port/v1` for any Responses-compatible server (add `OPENAI_API_KEY` if it needs one).',
].join('\n');

/** "read|open|show me [the] [file] <path>"; the path is validated separately. */
const READ_REQUEST = /\b(?:read|open|show me)\s+(?:the\s+)?(?:file\s+)?[`'"]?([^\s`'"]+)/i;
const LIST_REQUEST = /\b(?:list|ls|files)\b/i;
/** Words that follow "show me"/"open" in ordinary sentences but are not paths ("show me the files"). */
const NOT_A_PATH = new Set([
  'a', 'all', 'an', 'contents', 'dir', 'directory', 'everything', 'file', 'files', 'folder', 'it', 'me',
  'my', 'our', 'project', 'repo', 'repository', 'some', 'that', 'them', 'this', 'up', 'what', 'your',
]);

export function offlineReply(conversation: readonly Item[], tools: readonly FunctionTool[] = []): AgentReply {
  const toolOutputs = trailingToolOutputs(conversation);
  if (toolOutputs.length > 0) return { text: toolReport(conversation, toolOutputs), toolCalls: [] };

  const request = latestUserText(conversation);
  const declared = new Set(tools.filter((tool) => tool.type === 'function').map((tool) => tool.name));

  const path = requestedPath(request);
  if (path !== undefined && declared.has(READ_FILE_TOOL)) {
    return { text: '', toolCalls: [{ name: READ_FILE_TOOL, arguments: JSON.stringify({ path }) }] };
  }
  if (LIST_REQUEST.test(request) && declared.has(LIST_FILES_TOOL)) {
    return { text: '', toolCalls: [{ name: LIST_FILES_TOOL, arguments: JSON.stringify({ path: '' }) }] };
  }
  return { text: offlineAnswer(request), toolCalls: [] };
}

/** Replaces a conversation with one user message that summarises it (the `/responses/compact` answer). */
export function compactConversation(items: readonly Item[]): Item[] {
  const asks = items
    .filter((item) => item.type === 'message' && (item as { role?: unknown }).role === 'user')
    .map((item) => oneLine(messageText(item)))
    .filter((text) => text !== '');
  const recent = asks.slice(-5).map((text) => `- ${truncate(text, 200)}`);
  const lines = [
    `Summary of the earlier conversation (${items.length} items, compacted by Switchboard's offline engine).`,
    recent.length > 0 ? `The user asked:\n${recent.join('\n')}` : 'The user has not asked anything yet.',
  ];
  return [userMessage(lines.join('\n'))];
}

/** The function_call_output items at the very end of the conversation: the results we must report on. */
function trailingToolOutputs(conversation: readonly Item[]): FunctionCallOutputItem[] {
  const outputs: FunctionCallOutputItem[] = [];
  for (let i = conversation.length - 1; i >= 0; i--) {
    const item = conversation[i];
    if (item?.type !== 'function_call_output') break;
    outputs.unshift(item as FunctionCallOutputItem);
  }
  return outputs;
}

function toolReport(conversation: readonly Item[], outputs: FunctionCallOutputItem[]): string {
  const sections = outputs.map((output) => {
    const call = conversation.find((item) => isFunctionCall(item) && item.call_id === output.call_id);
    const title = call && isFunctionCall(call) ? `**\`${call.name}\`** \`${call.arguments}\`` : `**call \`${output.call_id}\`**`;
    const text = typeof output.output === 'string' ? output.output : JSON.stringify(output.output);
    const shown = text.length > REPORT_OUTPUT_MAX_CHARS
      ? `${text.slice(0, REPORT_OUTPUT_MAX_CHARS)}\n… (${text.length - REPORT_OUTPUT_MAX_CHARS} more characters)`
      : text;
    return `${title}\n\n${codeBlock(shown)}`;
  });
  const heading = outputs.length === 1 ? 'Here is what the tool returned:' : `Here is what the ${outputs.length} tools returned:`;
  return [heading, ...sections, '_Switchboard offline engine: results shown as-is, no model is connected._'].join('\n\n');
}

function offlineAnswer(request: string): string {
  const parts = ["**Switchboard's offline engine** answered: no model is connected, so I can't really think about your request."];
  if (request.trim() !== '') parts.push(`You asked:\n\n${quote(truncate(request.trim(), ECHO_MAX_CHARS))}`);
  parts.push('I can still exercise the tools: ask me to *list files* or to *read* a path (e.g. `read README.md`).');
  parts.push(CONNECT_HELP);
  return parts.join('\n\n');
}

function latestUserText(conversation: readonly Item[]): string {
  for (let i = conversation.length - 1; i >= 0; i--) {
    const item = conversation[i];
    if (item?.type === 'message' && (item as { role?: unknown }).role === 'user') return messageText(item);
  }
  return '';
}

function requestedPath(request: string): string | undefined {
  const match = READ_REQUEST.exec(request);
  const path = match?.[1]?.replace(/[.,;:!?)]+$/, '');
  if (!path || NOT_A_PATH.has(path.toLowerCase())) return undefined;
  return path;
}

/** A fenced block whose fence is longer than any backtick run inside, so outputs cannot break out. */
function codeBlock(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${fence}\n${text}\n${fence}`;
}

function quote(text: string): string {
  return text.split('\n').map((line) => `> ${line}`).join('\n');
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
