// The engine's test hooks (contract: testControl.ts): the script queues (responses and
// compactions), upgrade refusals, held responses and compactions, the log, and the control
// routes under CONTROL_PREFIX. Created only when the engine runs with `testHooks: true`; the
// engine calls into it at each point a test can observe or steer.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isPlainObject, readJsonObject, sendApiError, sendBodyError, sendJson } from '../httpMessages.ts';
import { CONTROL_PREFIX, type EngineLog, type ScriptedCompaction, type ScriptedResponse } from './testControl.ts';

export type PlanKind = 'warmup' | 'response';

export interface UpgradeRefusal {
  status: number;
  message: string;
}

/** What the control routes need from the engine's connections. */
export interface EngineConnections {
  /** Sends an `error` frame on every open socket; returns how many got it. */
  broadcastError(status: number, code: string, message: string): number;
  /** Terminates every open socket; returns how many there were. */
  dropSockets(): number;
  /** Aborts every HTTP response still streaming (held, delayed or stalled). */
  abortHttpStreams(): void;
}

export interface TestHooks {
  /**
   * The first queued plan of that kind, if any: a warmup (`generate:false`) takes only plans
   * marked `warmup: true`, any other response only unmarked ones.
   */
  takePlan(kind: PlanKind, conversation: readonly unknown[]): ScriptedResponse | undefined;
  /** The first queued compaction that fits this compact request's input, if any. */
  takeCompaction(input: readonly unknown[]): ScriptedCompaction | undefined;
  takeUpgradeRefusal(): UpgradeRefusal | undefined;
  /** Resolves at the next `POST {prefix}/release` (or reset / engine close). */
  waitForRelease(): Promise<void>;
  logUpgrade(socket: number, headers: IncomingHttpHeaders): void;
  /** `bytes`: the frame's UTF-8 size. Also stamps its arrival on the high-resolution clock. */
  logFrame(socket: number, frame: Record<string, unknown>, bytes: number): void;
  /** A WebSocket response's terminal event was just sent. */
  logCompleted(socket: number, responseId: string): void;
  logHttp(path: string, headers: IncomingHttpHeaders, body: Record<string, unknown>): void;
  /** Serves a request whose path starts with `${CONTROL_PREFIX}/`. */
  handleControl(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  /** Lets held responses go (they find their connection closed and stop). Used on engine close. */
  releaseAll(): number;
}

const DEFAULT_REFUSAL_MESSAGE = 'upgrade refused by the engine test hooks';

export function createTestHooks(now: () => number, connections: EngineConnections): TestHooks {
  let script: ScriptedResponse[] = [];
  let compactions: ScriptedCompaction[] = [];
  let refusal: (UpgradeRefusal & { times: number }) | undefined;
  let held: (() => void)[] = [];
  let log: EngineLog = emptyLog();

  const releaseAll = (): number => {
    const waiting = held;
    held = [];
    for (const release of waiting) release();
    return waiting.length;
  };

  const routes: Record<string, (body: Record<string, unknown>) => unknown> = {
    'POST /reset': () => {
      connections.dropSockets();
      connections.abortHttpStreams();
      releaseAll();
      script = [];
      compactions = [];
      refusal = undefined;
      log = emptyLog();
      return { ok: true };
    },
    'POST /script': (body) => {
      const responses = body.responses;
      if (!Array.isArray(responses) || !responses.every(isPlainObject)) {
        throw new ControlError('`responses` must be an array of ScriptedResponse objects.');
      }
      responses.forEach((response, index) => checkUsage(response.usage, `responses[${index}].usage`));
      script.push(...(responses as ScriptedResponse[]));
      return { queued: script.length };
    },
    'POST /script-compact': (body) => {
      compactions.push(...parseCompactions(body.compactions));
      return { queued: compactions.length };
    },
    'POST /refuse': (body) => {
      const status = body.status;
      const times = body.times ?? 1;
      if (!isInteger(status, 400, 599)) throw new ControlError('`status` must be an HTTP error status (400–599).');
      if (!isInteger(times, 0, Number.MAX_SAFE_INTEGER)) throw new ControlError('`times` must be a non-negative integer.');
      const message = typeof body.message === 'string' ? body.message : DEFAULT_REFUSAL_MESSAGE;
      refusal = times > 0 ? { status, times, message } : undefined;
      return { ok: true };
    },
    'POST /error-frame': (body) => {
      const { code, message } = body;
      const status = body.status ?? 400;
      if (typeof code !== 'string' || typeof message !== 'string') throw new ControlError('`code` and `message` must be strings.');
      if (!isInteger(status, 100, 599)) throw new ControlError('`status` must be an HTTP status.');
      return { sent: connections.broadcastError(status, code, message) };
    },
    'POST /drop-sockets': () => ({ dropped: connections.dropSockets() }),
    'POST /release': () => ({ released: releaseAll() }),
    'GET /log': () => log,
  };

  return {
    takePlan(kind, conversation) {
      const mentions = mentionTest(conversation);
      const index = script.findIndex((plan) => (plan.warmup === true) === (kind === 'warmup') && (plan.onlyFor === undefined || mentions(plan.onlyFor)));
      return index === -1 ? undefined : script.splice(index, 1)[0];
    },
    takeCompaction(input) {
      const mentions = mentionTest(input);
      const index = compactions.findIndex((compaction) => compaction.onlyFor === undefined || mentions(compaction.onlyFor));
      return index === -1 ? undefined : compactions.splice(index, 1)[0];
    },
    takeUpgradeRefusal() {
      if (!refusal) return undefined;
      const { status, message } = refusal;
      refusal.times -= 1;
      if (refusal.times === 0) refusal = undefined;
      return { status, message };
    },
    waitForRelease: () => new Promise((resolve) => held.push(resolve)),
    logUpgrade(socket, headers) {
      log.handshakes += 1;
      log.upgrades.push({ socket, headers: flatHeaders(headers), t: performance.now() });
    },
    logFrame(socket, frame, bytes) {
      log.frames.push({ socket, at: now(), frame, bytes, t: performance.now() });
    },
    logCompleted(socket, responseId) {
      log.completed.push({ socket, response: responseId, t: performance.now() });
    },
    logHttp(path, headers, body) {
      log.http.push({ path, at: now(), headers: flatHeaders(headers), body });
    },
    async handleControl(req, res, path) {
      const route = routes[`${req.method} ${path.slice(CONTROL_PREFIX.length)}`];
      if (!route) {
        sendApiError(res, 404, 'not_found', `No test-control route ${req.method} ${path}.`);
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = await readJsonObject(req);
      } catch (error) {
        sendBodyError(res, error);
        return;
      }
      try {
        sendJson(res, 200, route(body));
      } catch (error) {
        if (!(error instanceof ControlError)) throw error;
        sendApiError(res, 400, 'invalid_control_request', error.message);
      }
    },
    releaseAll,
  };
}

class ControlError extends Error {}

/** Whether the items mention a text; serialises them once, and only if some plan asks. */
function mentionTest(items: readonly unknown[]): (needle: string) => boolean {
  let text: string | undefined;
  return (needle) => (text ??= JSON.stringify(items)).includes(needle);
}

function checkUsage(usage: unknown, at: string): void {
  if (usage === undefined) return;
  if (!isPlainObject(usage) || !isInteger(usage.input_tokens, 0, Number.MAX_SAFE_INTEGER) || !isInteger(usage.output_tokens, 0, Number.MAX_SAFE_INTEGER)) {
    throw new ControlError(`\`${at}\` must be {input_tokens, output_tokens}, non-negative integers.`);
  }
}

/** Checked field by field: a typo in a scenario should fail at scripting time, not mid-turn. */
function parseCompactions(value: unknown): ScriptedCompaction[] {
  if (!Array.isArray(value) || !value.every(isPlainObject)) throw new ControlError('`compactions` must be an array of ScriptedCompaction objects.');
  value.forEach((compaction, index) => {
    const at = `compactions[${index}]`;
    const { onlyFor, turnState, output, error, hold } = compaction;
    if (onlyFor !== undefined && typeof onlyFor !== 'string') throw new ControlError(`\`${at}.onlyFor\` must be a string.`);
    if (turnState !== undefined && turnState !== null && typeof turnState !== 'string') throw new ControlError(`\`${at}.turnState\` must be a string or null.`);
    if (output !== undefined && !(Array.isArray(output) && output.every((item) => isPlainObject(item) && typeof item.type === 'string'))) {
      throw new ControlError(`\`${at}.output\` must be an array of items, each with a string \`type\`.`);
    }
    if (error !== undefined && !(isPlainObject(error) && isInteger(error.status, 400, 599) && typeof error.code === 'string' && typeof error.message === 'string')) {
      throw new ControlError(`\`${at}.error\` must be {status: 400–599, code: string, message: string}.`);
    }
    if (hold !== undefined && typeof hold !== 'boolean') throw new ControlError(`\`${at}.hold\` must be a boolean.`);
  });
  return value as ScriptedCompaction[];
}

function emptyLog(): EngineLog {
  return { handshakes: 0, frames: [], completed: [], http: [], upgrades: [] };
}

/** Node already lower-cases header names; repeated headers are joined as HTTP allows. */
function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
