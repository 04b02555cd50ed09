// The engine's HTTP endpoints: `POST /v1/responses` as server-sent events (the WebSocket
// fallback, PROTOCOL.md §1) and `POST /v1/responses/compact` (§4.8). Over HTTP the turn state is
// a response header, never an event (§4 rule 6), and nothing is chained.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TURN_STATE_KEY } from '../../src/core/wire.ts';
import { readJsonObject, sendApiError, sendBodyError, sendJson } from '../httpMessages.ts';
import { compactConversation } from './offlineAgent.ts';
import { deliverEvents, type FrameSink } from './responseDelivery.ts';
import { responseEvents, usageFor, type NewId } from './responseEvents.ts';
import { planResponse } from './responsePlan.ts';
import { parseResponseRequest } from './responseRequest.ts';
import type { CompactedResponse } from './testControl.ts';
import type { TestHooks } from './testHooks.ts';

export interface HttpContext {
  newId: NewId;
  now(): number;
  nextTurnState(): string;
  hooks: TestHooks | undefined;
  /** Registers a streaming response so the engine can abort it on reset or close. */
  trackStream(res: ServerResponse): void;
}

/** Stands in for a binary frame on a text stream: bytes that are not UTF-8. */
const NOT_UTF8 = Buffer.from([0x00, 0xff, 0xfe, 0x0a, 0x0a]);

export async function serveResponsesPost(req: IncomingMessage, res: ServerResponse, path: string, context: HttpContext): Promise<void> {
  const body = await readLoggedBody(req, res, path, context);
  if (!body) return;
  const parsed = parseResponseRequest(body);
  if (!parsed.ok) {
    sendApiError(res, 400, 'invalid_value', parsed.message, parsed.param);
    return;
  }
  const request = parsed.request;
  if (request.previousResponseId !== undefined) {
    // Nothing is cached for HTTP requests: they always carry the full input (PROTOCOL.md §1).
    sendApiError(res, 400, 'previous_response_not_found', `Previous response with id '${request.previousResponseId}' not found.`, 'previous_response_id');
    return;
  }
  const plan = planResponse(context.hooks?.takePlan('response', request.input), request.input, request);
  if (plan.kind === 'error') {
    sendApiError(res, plan.status, plan.code, plan.message);
    return;
  }
  const turnState = plan.turnState === undefined ? context.nextTurnState() : plan.turnState;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...(turnState === null ? {} : { [TURN_STATE_KEY]: turnState }),
  });
  // Headers go out now, as a real server's would: the turn state counts even if the stream later fails.
  res.flushHeaders();
  context.trackStream(res);

  const { events } = responseEvents({
    responseId: context.newId('resp'),
    model: request.model,
    conversation: request.input,
    plan: plan.output,
    newId: context.newId,
    usage: plan.usage,
  });
  const sink: FrameSink = {
    get open() {
      return !res.destroyed && !res.writableEnded;
    },
    event: (event) => res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
    malformed: (text) => res.write(`data: ${text}\n\n`),
    binary: () => res.write(NOT_UTF8),
    drop: () => res.destroy(),
  };
  const waitForRelease = context.hooks?.waitForRelease ?? (() => Promise.resolve());
  const outcome = await deliverEvents(events, plan.delivery, sink, waitForRelease);
  // A stalled stream stays open, unanswered, until the client gives up (or reset/close aborts it).
  if (outcome === 'completed') res.end();
}

/**
 * Answers with the compacted conversation, shaped as the real API's (`object:
 * "response.compaction"`), and a turn state in the `x-codex-turn-state` header: the client fills
 * an empty turn cell from it (§4.8). The request's own `x-codex-turn-state` header is in the log.
 */
export async function serveCompactPost(req: IncomingMessage, res: ServerResponse, path: string, context: HttpContext): Promise<void> {
  const body = await readLoggedBody(req, res, path, context);
  if (!body) return;
  const parsed = parseResponseRequest(body);
  if (!parsed.ok) {
    sendApiError(res, 400, 'invalid_value', parsed.message, parsed.param);
    return;
  }
  const { input, previousResponseId } = parsed.request;
  if (previousResponseId !== undefined) {
    // As on POST /responses: nothing is stored, so a compaction must carry its full input.
    sendApiError(res, 400, 'previous_response_not_found', `Previous response with id '${previousResponseId}' not found.`, 'previous_response_id');
    return;
  }
  const scripted = context.hooks?.takeCompaction(input);
  if (scripted?.hold && context.hooks) {
    // Reset and engine close abort a held compaction as they do a held stream.
    context.trackStream(res);
    await context.hooks.waitForRelease();
    if (res.destroyed || res.writableEnded) return;
  }
  if (scripted?.error) {
    // A failed compaction advertises a turn state only when the script says so: the client must
    // still take it (§4 rule 2: a value counts even if its response fails).
    if (typeof scripted.turnState === 'string') res.setHeader(TURN_STATE_KEY, scripted.turnState);
    sendApiError(res, scripted.error.status, scripted.error.code, scripted.error.message);
    return;
  }
  const turnState = scripted?.turnState === undefined ? context.nextTurnState() : scripted.turnState;
  const output = scripted?.output ?? compactConversation(input);
  const compacted: CompactedResponse = {
    id: context.newId('resp'),
    object: 'response.compaction',
    created_at: Math.floor(context.now() / 1000),
    output,
    usage: usageFor(input, output),
  };
  sendJson(res, 200, compacted, turnState === null ? {} : { [TURN_STATE_KEY]: turnState });
}

/** Reads the JSON body and logs it with the headers; answers the error itself and resolves undefined on a bad body. */
async function readLoggedBody(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  context: HttpContext,
): Promise<Record<string, unknown> | undefined> {
  try {
    const body = await readJsonObject(req);
    context.hooks?.logHttp(path, req.headers, body);
    return body;
  } catch (error) {
    sendBodyError(res, error);
    return undefined;
  }
}
