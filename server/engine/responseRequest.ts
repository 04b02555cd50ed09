// Validates a `response.create` frame or a `POST /v1/responses` body into the few fields the
// engine acts on. Strict where the protocol is (input, client_metadata limits, background),
// lenient elsewhere, so client bugs surface here as the real API would report them.
import { CLIENT_METADATA_VALUE_MAX, type FunctionTool, type Item } from '../../src/core/wire.ts';
import { isPlainObject } from '../httpMessages.ts';

/** Model name reported when a request names none. */
const DEFAULT_MODEL = 'switchboard-offline';

export interface ResponseRequest {
  model: string;
  input: Item[];
  tools: FunctionTool[];
  previousResponseId: string | undefined;
  /** false: a warmup (PROTOCOL.md §2). */
  generate: boolean;
  /** `parallel_tool_calls`; false: the offline agent makes at most one call per response. */
  parallelToolCalls: boolean;
}

export type ParsedRequest = { ok: true; request: ResponseRequest } | { ok: false; message: string; param: string };

export function parseResponseRequest(body: Record<string, unknown>): ParsedRequest {
  const { model, input, tools, previous_response_id, generate, background, client_metadata, parallel_tool_calls } = body;
  if (!Array.isArray(input) || !input.every((item) => isPlainObject(item) && typeof item.type === 'string')) {
    return invalid('`input` must be an array of items, each with a string `type`.', 'input');
  }
  if (model !== undefined && typeof model !== 'string') return invalid('`model` must be a string.', 'model');
  if (tools !== undefined && (!Array.isArray(tools) || !tools.every(isPlainObject))) {
    return invalid('`tools` must be an array of tool objects.', 'tools');
  }
  if (previous_response_id !== undefined && previous_response_id !== null && typeof previous_response_id !== 'string') {
    return invalid('`previous_response_id` must be a string.', 'previous_response_id');
  }
  if (generate !== undefined && typeof generate !== 'boolean') return invalid('`generate` must be a boolean.', 'generate');
  if (parallel_tool_calls !== undefined && parallel_tool_calls !== null && typeof parallel_tool_calls !== 'boolean') {
    return invalid('`parallel_tool_calls` must be a boolean.', 'parallel_tool_calls');
  }
  if (background === true) return invalid('`background` is not supported on this endpoint.', 'background');
  const metadataProblem = clientMetadataProblem(client_metadata);
  if (metadataProblem) return metadataProblem;
  return {
    ok: true,
    request: {
      model: model ?? DEFAULT_MODEL,
      input: input as Item[],
      // Only function tools can be called by the offline agent; other kinds are accepted and ignored.
      tools: ((tools ?? []) as Record<string, unknown>[]).filter((tool): tool is Record<string, unknown> & FunctionTool => tool.type === 'function' && typeof tool.name === 'string'),
      previousResponseId: previous_response_id ?? undefined,
      generate: generate ?? true,
      parallelToolCalls: parallel_tool_calls ?? true,
    },
  };
}

/** PROTOCOL.md §2: a map of string → string, each value at most CLIENT_METADATA_VALUE_MAX characters. */
function clientMetadataProblem(metadata: unknown): ParsedRequest | undefined {
  if (metadata === undefined) return undefined;
  if (!isPlainObject(metadata)) return invalid('`client_metadata` must be an object of strings.', 'client_metadata');
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') return invalid(`client_metadata["${key}"] must be a string.`, `client_metadata.${key}`);
    if (value.length > CLIENT_METADATA_VALUE_MAX) {
      return invalid(
        `client_metadata["${key}"] is ${value.length} characters; the limit is ${CLIENT_METADATA_VALUE_MAX}.`,
        `client_metadata.${key}`,
      );
    }
  }
  return undefined;
}

function invalid(message: string, param: string): ParsedRequest {
  return { ok: false, message, param };
}
