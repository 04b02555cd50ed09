// One engine WebSocket: reads client frames, runs one response at a time, and keeps the socket's
// most recent completed response for `previous_response_id` chaining (PROTOCOL.md §1–§3).
import type { RawData, WebSocket } from 'ws';
import type { Item } from '../../src/core/wire.ts';
import { isPlainObject } from '../httpMessages.ts';
import { deliverEvents, type DeliveryOutcome, type FrameSink } from './responseDelivery.ts';
import { errorEvent, metadataEvent, responseEvents, warmupEvents, type BuiltResponse, type NewId } from './responseEvents.ts';
import { planResponse } from './responsePlan.ts';
import { parseResponseRequest, type ResponseRequest } from './responseRequest.ts';
import type { TestHooks } from './testHooks.ts';

export interface SessionContext {
  newId: NewId;
  /** A fresh engine-wide turn-state value (`ts_<n>`). */
  nextTurnState(): string;
  hooks: TestHooks | undefined;
}

/** The one response a socket can chain from, with the conversation that led to it. */
interface ChainableResponse {
  id: string;
  conversation: Item[];
}

/** Bytes of the test hooks' binary frame: not UTF-8, so no client can mistake it for text. */
const BINARY_FRAME = Buffer.from([0x00, 0xff, 0xfe]);

export function serveSocket(ws: WebSocket, socketId: number, context: SessionContext): void {
  // A stalled response (test hooks) keeps this true for the socket's life, as a hung server would.
  let inFlight = false;
  let chainable: ChainableResponse | undefined;

  const sink: FrameSink = {
    get open() {
      return ws.readyState === ws.OPEN;
    },
    event: (event) => ws.send(JSON.stringify(event)),
    malformed: (text) => ws.send(text),
    binary: () => ws.send(BINARY_FRAME, { binary: true }),
    drop: () => ws.terminate(),
  };
  const sendError = (status: number, code: string, message: string, param: string | null = null): void => {
    if (sink.open) sink.event(errorEvent(status, code, message, param));
  };

  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      sendError(400, 'invalid_frame', 'Binary frames are not supported: send JSON text frames.');
      return;
    }
    const text = rawText(data);
    const frame = parseJsonObject(text);
    if (!frame) {
      sendError(400, 'invalid_json', 'Each frame must be one JSON object.');
      return;
    }
    context.hooks?.logFrame(socketId, frame, Buffer.byteLength(text));
    if (frame.type !== 'response.create') {
      sendError(400, 'unsupported_event_type', `Unsupported event type ${JSON.stringify(frame.type)}: only response.create is accepted.`, 'type');
      return;
    }
    if (inFlight) {
      sendError(400, 'response_already_in_flight', 'A response is already in progress on this connection; wait for its terminal event.');
      return;
    }
    const parsed = parseResponseRequest(frame);
    if (!parsed.ok) {
      sendError(400, 'invalid_value', parsed.message, parsed.param);
      return;
    }
    const request = parsed.request;
    // Starting a new response evicts the cached one, so a failed continuation cannot be retried
    // by chaining (PROTOCOL.md §1: "after a failed continuation … previous_response_not_found").
    const previous = chainable;
    chainable = undefined;
    if (request.previousResponseId !== undefined && request.previousResponseId !== previous?.id) {
      sendError(
        400,
        'previous_response_not_found',
        `Previous response with id '${request.previousResponseId}' not found.`,
        'previous_response_id',
      );
      return;
    }
    const conversation = [...(request.previousResponseId !== undefined && previous ? previous.conversation : []), ...request.input];
    inFlight = true;
    void respond(request, conversation);
  });

  async function respond(request: ResponseRequest, conversation: Item[]): Promise<void> {
    const responseId = context.newId('resp');
    let built: BuiltResponse;
    let outcome: DeliveryOutcome;
    if (!request.generate) {
      // A warmup plan only decides the advertised turn state; a warmup never has output.
      const plan = context.hooks?.takePlan('warmup', conversation);
      built = warmupEvents({ responseId, model: request.model, conversation });
      const turnState = plan?.turnState === undefined ? context.nextTurnState() : plan.turnState;
      outcome = await deliverEvents(withMetadata(built, turnState), {}, sink, waitForNothing);
    } else {
      const plan = planResponse(context.hooks?.takePlan('response', conversation), conversation, request);
      if (plan.kind === 'error') {
        sendError(plan.status, plan.code, plan.message);
        inFlight = false;
        return;
      }
      built = responseEvents({ responseId, model: request.model, conversation, plan: plan.output, newId: context.newId, usage: plan.usage });
      const turnState = plan.turnState === undefined ? context.nextTurnState() : plan.turnState;
      outcome = await deliverEvents(withMetadata(built, turnState), plan.delivery, sink, context.hooks?.waitForRelease ?? waitForNothing);
    }
    if (outcome === 'completed') {
      context.hooks?.logCompleted(socketId, responseId);
      chainable = { id: responseId, conversation: [...conversation, ...built.response.output] };
    }
    if (outcome !== 'stalled') inFlight = false;
  }
}

/** Over WebSocket the turn state travels in `response.metadata`, right after `response.created`. */
function withMetadata(built: BuiltResponse, turnState: string | null): BuiltResponse['events'] {
  if (turnState === null) return built.events;
  const [created, ...rest] = built.events;
  return created ? [created, metadataEvent(built.response.id, turnState), ...rest] : rest;
}

function waitForNothing(): Promise<void> {
  return Promise.resolve();
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
