// The broker: the only code that touches the network. It owns the socket pool, the threads' chains
// and the turn-state cells, runs each turn's agent loop, and publishes everything tabs render.
// Plain TypeScript: sockets, fetch, the channel, storage, workspaces and time are all injected.
import type { ApprovalDecision, BrokerEvent, BrokerEventBatch, BrokerRequest, BrokerResults, CompactionPhase, ConnectionState, InspectorState, LiveTurnSnapshot, ThreadEvent, ThreadEventBody, TurnStatus } from './brokerMessages.ts';
import { backoffDelay, createWaker, type Clock, type TimerHandle } from './clock.ts';
import type { RequestIdentity, RequestKind } from './clientMetadata.ts';
import { createEventBatcher, type EventTopic } from './eventBatcher.ts';
import { buildHttpRequest, buildResponseCreate, canChain, type ModelSettings, type ThreadChain } from './requestBuilder.ts';
import { streamOverHttp, streamOverSocket, type AnyServerEvent, type FetchLike, type ResponseOutcome } from './responseStream.ts';
import { ConnectError, createSocketPool, type LeaseLabel, type OpenSocket, type SocketLease } from './socketPool.ts';
import type { SettingsStore, UserSettings } from './settings.ts';
import { COMPACTION_MARKER, compactUrlFor, historyFromItems, requestCompaction, type CompactionMarker } from './compaction.ts';
import { DEFAULT_APPROVAL_POLICY, type ApprovalPolicy, type ThreadRecord, type ThreadStore, type TurnRecord } from './threadStore.ts';
import { createPendingApprovals, runFunctionCalls, type CallHost, type PendingApprovals } from './toolCalls.ts';
import type { JsRunner, ToolSet } from './tools/toolContract.ts';
import { applyRevert, planRevert, summarizeChangeSet } from './turnChanges.ts';
import { createTurnOutput, type TurnOutput } from './turnOutput.ts';
import { createTurnStateCells, type TurnStateCell } from './turnStateCell.ts';
import { decodeFrame } from './responseCodec.ts';
import { isFunctionCall, turnStateFromEvent, userMessage, type FunctionCallOutputItem, type Item, type MessageItem, type ResponseCreate, type ServerEvent } from './wire.ts';
import type { Workspace } from './workspace.ts';

export interface BrokerLimits {
  maxSockets: number;
  /** Rotate sockets before the server's 60-minute limit. */
  socketMaxAgeMs: number;
  maxFrameBytes: number;
  /** Resends of one request after its socket died mid-response. */
  maxResends: number;
  /** Retries of an upgrade refused with 404/500 before switching to HTTP for good. */
  upgradeRetries: number;
  /** Retries of a connection that could not be opened at all before the turn fails. */
  connectRetries: number;
  /** Idle sockets are closed after this long unused. */
  socketIdleMs: number;
  /** A running turn's progress is saved at item boundaries and at most this often. */
  progressSaveMs: number;
  /** Saves for streamed text write it at most at this average rate (characters per second):
   *  each save copies the whole text so far, so a save waits longer as the text grows. */
  progressSaveCharsPerSecond: number;
  /** A response whose socket stays silent this long is treated as lost and resent. */
  responseSilenceMs: number;
  /** The thread is compacted (§4.8) when a response's usage.input_tokens passes this. */
  compactAtInputTokens: number;
}

export const DEFAULT_LIMITS: BrokerLimits = {
  maxSockets: 4,
  socketMaxAgeMs: 55 * 60_000,
  maxFrameBytes: 8 * 1024 * 1024,
  maxResends: 3,
  upgradeRetries: 2,
  connectRetries: 4,
  socketIdleMs: 5 * 60_000,
  progressSaveMs: 250,
  progressSaveCharsPerSecond: 256 * 1024,
  responseSilenceMs: 5 * 60_000,
  compactAtInputTokens: 200_000,
};

export interface BrokerDeps {
  openSocket: OpenSocket;
  fetch: FetchLike;
  /** Absolute URL of `POST …/responses` for the HTTP fallback. */
  httpUrl: string;
  /** Publishes a batch on a thread's topic (its events with a seq) or, for null, app-wide. */
  publish(topic: EventTopic, batch: BrokerEventBatch): void;
  store: ThreadStore;
  workspaceFor(threadId: string): Promise<Workspace>;
  /** The tools declared to the model (their definitions are in `settings.tools`) and run here. */
  tools: ToolSet;
  /** Where run_js runs its code. */
  jsRunner: JsRunner;
  /** `POST …/responses/compact`; default: next to `httpUrl`. */
  compactUrl?: string;
  /** The thread's workspace binding changed: the next workspaceFor(threadId) must look again. */
  forgetWorkspace?(threadId: string): void;
  settings: ModelSettings;
  clock: Clock;
  random?: () => number;
  limits?: Partial<BrokerLimits>;
  brokerId: string;
  appVersion: string;
  /** The user's saved settings; they win over `limits` for what they cover. */
  settingsStore?: SettingsStore;
  log?(message: string): void;
}

export interface Broker {
  handle<M extends BrokerRequest['method']>(request: Extract<BrokerRequest, { method: M }>): Promise<BrokerResults[M]>;
  inspect(): InspectorState;
  close(): void;
}

/** What a saved write tells the tabs: `record`, the thread's record changed (lists re-read);
 *  `content`, only its turns or items did; `quiet`, nothing (a progress save, read on reopen). */
type WriteAnnouncement = 'record' | 'content' | 'quiet';

interface RunningTurn {
  tabId: string;
  turnId: string;
  kind: 'turn' | 'compaction';
  /** Write and run_js calls waiting for a person. */
  approvals: PendingApprovals;
  record: TurnRecord;
  cell: TurnStateCell;
  abort: AbortController;
  output: TurnOutput;
  progressTimer: TimerHandle | null;
  /** The user's message was saved with the turn's start (startTurn). */
  userSaved: boolean;
  done: Promise<void>;
}

interface ThreadState {
  id: string;
  ready: Promise<void>;
  history: Item[];
  chain: ThreadChain | null;
  windowGeneration: number;
  /** A value the thread's prewarm returned: it seeds the next turn's cell (§4.7). */
  seed: string | undefined;
  prewarm: Promise<void> | null;
  /** Aborts the running prewarm: a turn that stops waiting for it owns the thread from then on. */
  abandonPrewarm: AbortController | null;
  /** A turn waits for the running prewarm: every socket it asks for is asked as a turn's. */
  prewarmHurried: boolean;
  prewarmed: boolean;
  running: RunningTurn | null;
  seq: number;
  policy: ApprovalPolicy;
  /** True while "Revert this turn's changes" restores files: no turn may start meanwhile. */
  reverting: boolean;
  /** usage.input_tokens of the thread's last response (null: unknown, or compacted since). */
  lastInputTokens: number | null;
  /** The thread's writes, in order (items, turn records, progress): a late progress save must
   *  never land after the final status, and items land in history order. The agent loop does
   *  not wait for them between requests: an IndexedDB transaction costs milliseconds that the
   *  continuation gap should not pay, and a queued write is lost only if the worker dies. */
  writes: Promise<void>;
}

/** Thrown out of a request when no connection could be made at all. */
class UnreachableError extends Error {}

/** Errors worth a bounded, backed-off retry: rate limits and a server that is briefly unwell. */
function isRetryableStatus(outcome: { status?: number; code?: string }): boolean {
  return outcome.code === 'rate_limit_exceeded' || outcome.status === 429 || (outcome.status !== undefined && outcome.status >= 500);
}

/** The relay reports an upstream refusal of the upgrade with status S as close code 4000+S (§1).
 *  It accepts the browser's socket first (to buffer early frames), so the refusal can come
 *  before or after the socket opened. */
function isUpgradeRefusal(code: number): boolean {
  return code >= 4400 && code < 4600;
}

const CONNECTION_LIMIT = 'websocket_connection_limit_reached';
/** How long a turn waits for its thread's prewarm before going ahead without it. */
const PREWARM_WAIT_MS = 10_000;
const PREVIOUS_NOT_FOUND = 'previous_response_not_found';
/** The inspector's state goes to every tab, and each redraws its inspector and its thread list's
 *  running dots: with 8 tabs open, a turn's 4–5 states cost about half the renderers' CPU per
 *  turn (an experiment with no states sent: 395 → 202 ms). At most one per this interval — a
 *  pace a person can read; the first change after a quiet spell goes out at once, the latest
 *  always follows. */
export const INSPECTOR_INTERVAL_MS = 200;

export function createBroker(deps: BrokerDeps): Broker {
  const limits: BrokerLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const random = deps.random ?? Math.random;
  const log = deps.log ?? (() => undefined);
  const threads = new Map<string, ThreadState>();
  const cells = createTurnStateCells();
  let transport: 'ws' | 'http' = 'ws';
  let upgradeRefusals = 0;
  let unreachable: string | null = null;
  let stateDirty = true;
  const waker = createWaker();
  let lastConnection = '';
  /** Saved settings over the configured limits (applySettings). */
  let settingsInForce: UserSettings = { maxSockets: limits.maxSockets, socketIdleMs: limits.socketIdleMs, compactAtInputTokens: limits.compactAtInputTokens };

  let lastInspectorAt = -Infinity;
  let inspectorTimer: TimerHandle | null = null;
  const batcher = createEventBatcher({
    clock: deps.clock,
    publish: deps.publish,
    collectState() {
      if (!stateDirty) return [];
      const out: BrokerEvent[] = [];
      // The connection is what the status bar shows: it never waits.
      const connection = connectionState();
      const key = `${connection.state}|${connection.detail ?? ''}`;
      if (key !== lastConnection) {
        lastConnection = key;
        out.push({ kind: 'connection', ...connection });
      }
      const wait = lastInspectorAt + INSPECTOR_INTERVAL_MS - deps.clock.now();
      if (wait > 0) {
        // Too soon after the last one: the latest state follows when the interval is over.
        inspectorTimer ??= deps.clock.setTimeout(() => {
          inspectorTimer = null;
          batcher.schedule();
        }, wait);
        return out;
      }
      stateDirty = false;
      lastInspectorAt = deps.clock.now();
      return [{ kind: 'inspector', state: inspect() }, ...out];
    },
  });
  const markDirty = () => {
    stateDirty = true;
    batcher.schedule();
  };

  const pool = createSocketPool({
    openSocket: deps.openSocket,
    clock: deps.clock,
    maxSockets: limits.maxSockets,
    maxAgeMs: limits.socketMaxAgeMs,
    idleTimeoutMs: limits.socketIdleMs,
    onChange: markDirty,
    onIdleFrame(socketId, data) {
      // §3: an `error` can arrive on an idle pooled socket. A connection-limit error means the
      // server is ending the socket: drop it now so no work is handed to it.
      const decoded = decodeFrame(data, limits.maxFrameBytes);
      if (!decoded.ok) return pool.close(socketId, decoded.message);
      const event = decoded.event as ServerEvent;
      if (event.type === 'error') {
        log(`socket ${socketId}: error while idle: ${event.error?.code ?? ''} ${event.error?.message ?? ''}`);
        pool.close(socketId, event.error?.code ?? 'error while idle');
      }
    },
  });

  /** Before any work: turns a previous broker left 'running' are orphans (interrupted), and the
   *  user's saved settings apply. */
  const recovered = Promise.all([recoverInterruptedTurns(), applySettings()]);

  /** A response made it through: whatever made the server unreachable is over. */
  function reachable() {
    if (unreachable === null) return;
    unreachable = null;
    markDirty();
  }

  function connectionState(): { state: ConnectionState; detail?: string } {
    if (transport === 'http') return { state: 'http-fallback', detail: 'WebSocket refused; using HTTP streaming' };
    const sockets = pool.snapshot();
    if (unreachable) return { state: 'unreachable', detail: unreachable };
    if (sockets.some((s) => s.state === 'open')) return { state: 'connected' };
    if (sockets.some((s) => s.state === 'connecting')) return { state: 'connecting' };
    return { state: 'idle' };
  }

  function inspect(): InspectorState {
    return {
      transport,
      sockets: pool.snapshot(),
      cells: cells.list().map((c) => ({ tabId: c.tabId, turnId: c.turnId, threadId: c.threadId, value: c.cell.get() ?? null })),
      queued: pool.queued,
      handshakes: pool.handshakes,
      runningThreads: [...threads.values()].filter((t) => t.running !== null).map((t) => t.id),
    };
  }

  function emit(thread: ThreadState, event: ThreadEventBody) {
    // Consecutive deltas of one item within a batch travel as one event with one seq.
    if (event.kind === 'text.delta' && batcher.appendDelta(thread.id, event.turnId, event.request, event.itemId, event.delta)) return;
    thread.seq += 1;
    batcher.push({ ...event, seq: thread.seq } as ThreadEvent);
  }

  function threadState(threadId: string): ThreadState {
    let thread = threads.get(threadId);
    if (thread) return thread;
    const created: ThreadState = {
      id: threadId,
      ready: Promise.resolve(),
      history: [],
      chain: null,
      windowGeneration: 0,
      seed: undefined,
      prewarm: null,
      abandonPrewarm: null,
      prewarmHurried: false,
      prewarmed: false,
      running: null,
      seq: 0,
      policy: DEFAULT_APPROVAL_POLICY,
      reverting: false,
      lastInputTokens: null,
      writes: Promise.resolve(),
    };
    created.ready = Promise.all([deps.store.listItems(threadId), deps.store.getThread(threadId)]).then(([records, record]) => {
      // The model's history starts at the last compaction; the store keeps everything said.
      const { history, window } = historyFromItems(records.map((r) => r.item));
      created.history = history;
      created.windowGeneration = window;
      created.policy = record?.approvalPolicy ?? DEFAULT_APPROVAL_POLICY;
    });
    threads.set(threadId, created);
    thread = created;
    return thread;
  }

  /** Runs a write; then tabs are told to re-read the thread (`record`: its record too, which
   *  thread lists show), unless `quiet`. */
  async function persist(thread: ThreadState, write: () => Promise<void>, announce: WriteAnnouncement) {
    try {
      await write();
    } catch (error) {
      log(`could not save thread ${thread.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (announce !== 'quiet') batcher.push({ kind: 'thread.changed', threadId: thread.id, record: announce === 'record' });
  }

  /** Queues a write behind the thread's earlier ones; resolves when it has landed (or failed). */
  function queueWrite(thread: ThreadState, write: () => Promise<void>, announce: WriteAnnouncement = 'content'): Promise<void> {
    thread.writes = thread.writes.then(() => persist(thread, write, announce));
    return thread.writes;
  }

  // ---- connections ----

  function switchToHttp(why: string) {
    if (transport === 'http') return;
    transport = 'http';
    log(`switching to HTTP for the rest of this session: ${why}`);
    markDirty();
  }

  /**
   * Counts a refused upgrade (close code 4000+S from the relay, §1) and says what to do next:
   * 426 switches to HTTP at once; 404 and 5xx are retried a bounded number of times, then switch;
   * any other refusal (401, 403, …) will not get better by retrying and fails the turn.
   */
  function noteRefusal(code: number, reason: string): 'http' | 'retry' {
    const status = code - 4000;
    if (status === 426) {
      switchToHttp('the server refused the WebSocket upgrade (426)');
      return 'http';
    }
    if (status === 404 || status >= 500) {
      upgradeRefusals += 1;
      if (upgradeRefusals > limits.upgradeRetries) {
        switchToHttp(`the server refused the WebSocket upgrade ${upgradeRefusals} times (last: ${status})`);
        return 'http';
      }
      return 'retry';
    }
    throw new UnreachableError(`The server refused the connection (${status}${reason ? `: ${reason}` : ''}).`);
  }

  /** A lease on a pooled socket, or null once the broker has switched to HTTP. `hurried` is asked
   *  again on every attempt: a prewarm's turn may start waiting for it between two (waitForPrewarm). */
  async function acquireSocket(label: LeaseLabel, prefer: number | undefined, signal?: AbortSignal, hurried?: () => boolean): Promise<SocketLease | null> {
    let failures = 0;
    for (;;) {
      if (transport === 'http') return null;
      try {
        const granted = pool.acquire(label, prefer, signal);
        if (hurried?.()) pool.hurry(label.threadId);
        return await granted;
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        if (isUpgradeRefusal(error.code)) {
          if (noteRefusal(error.code, error.reason) === 'http') return null;
        } else {
          failures += 1;
          if (failures > limits.connectRetries) {
            unreachable = `Cannot reach the server: ${error.message}`;
            markDirty();
            throw new UnreachableError(`${unreachable}. Check that Switchboard's relay is running, then retry.`);
          }
        }
        await waker.sleep(deps.clock, backoffDelay(failures + upgradeRefusals, random), signal);
      }
    }
  }

  // ---- prewarm (§4.7) ----

  function prewarm(thread: ThreadState): boolean {
    if (transport !== 'ws' || thread.prewarm || thread.prewarmed || thread.running) return false;
    thread.prewarmed = true;
    const abandon = new AbortController();
    thread.abandonPrewarm = abandon;
    thread.prewarm = (async () => {
      await thread.ready;
      const lease = await acquireSocket({ threadId: thread.id, turnId: '', kind: 'prewarm' }, thread.chain?.socketId, abandon.signal, () => thread.prewarmHurried).catch(() => null);
      if (!lease) return;
      const chain = canChain(thread.chain, { id: lease.socketId, lastResponseId: lease.lastResponseId }) ? thread.chain : null;
      const request = buildResponseCreate({
        settings: deps.settings,
        identity: identity(thread, '', 'prewarm'),
        history: thread.history,
        chain,
        turnState: undefined,
        generate: false,
      });
      const historyLength = thread.history.length;
      let seed: string | undefined;
      const outcome = await streamOverSocket(
        lease,
        request,
        {
          onEvent(event) {
            seed ??= turnStateFromEvent(event);
          },
        },
        { maxFrameBytes: limits.maxFrameBytes, signal: abandon.signal, inactivity: { clock: deps.clock, ms: limits.responseSilenceMs } },
      );
      settleLease(lease, outcome);
      // An abandoned prewarm (its turn stopped waiting) must not touch a turn already under way.
      if (abandon.signal.aborted) return;
      if (seed !== undefined) thread.seed ??= seed;
      if (outcome.kind === 'completed') thread.chain = { socketId: lease.socketId, responseId: outcome.response.id, historyLength };
      if (outcome.kind === 'dropped' && isUpgradeRefusal(outcome.code)) noteRefusal(outcome.code, outcome.reason);
    })()
      .catch((error) => log(`prewarm of ${thread.id} failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        thread.prewarm = null;
        thread.abandonPrewarm = null;
        thread.prewarmHurried = false;
      });
    return true;
  }

  function identity(thread: ThreadState, turnId: string, requestKind: RequestKind): RequestIdentity {
    return { threadId: thread.id, turnId, windowGeneration: thread.windowGeneration, requestKind, model: deps.settings.model };
  }

  /** Returns a socket to the pool, or drops it when it can no longer be trusted. */
  function settleLease(lease: SocketLease, outcome: ResponseOutcome) {
    switch (outcome.kind) {
      case 'completed':
        upgradeRefusals = 0; // the upgrade demonstrably works
        reachable();
        lease.setLastResponseId(outcome.response.id);
        lease.release();
        return;
      case 'error':
        if (outcome.code === CONNECTION_LIMIT) return lease.discard('connection time limit reached');
        // After a failed request the server's cached response is not one we can name any more.
        lease.setLastResponseId(null);
        lease.release();
        return;
      case 'failed':
        lease.setLastResponseId(null);
        lease.release();
        return;
      case 'protocol':
        return lease.discard('protocol error');
      case 'aborted':
        // There is no cancel event: stopping a response means dropping its socket (§2).
        return lease.discard('stopped by the user');
      case 'dropped':
        return lease.discard('connection lost');
    }
  }

  // ---- the agent loop ----

  async function runTurn(thread: ThreadState, turn: RunningTurn, text: string) {
    let status: Exclude<TurnStatus, 'running'> = 'completed';
    let error: string | undefined;
    try {
      if (thread.prewarm) await waitForPrewarm(thread, turn.abort.signal); // §4.7
      if (thread.seed !== undefined) {
        const accepted = turn.cell.offer(thread.seed);
        emit(thread, { kind: 'turn.metadata', threadId: thread.id, turnId: turn.turnId, value: thread.seed, accepted });
        thread.seed = undefined;
      }
      markDirty();
      if (turn.kind === 'compaction') {
        const failure = await compactThread(thread, turn, 'standalone');
        if (failure !== null) throw new Error(failure);
        return;
      }
      // A thread whose last request was already large is compacted before this turn's first
      // request; a value that compaction returns is the one that request sends (§4.8).
      if ((thread.lastInputTokens ?? 0) > compactThreshold()) await compactThread(thread, turn, 'pre-turn');
      const user = userMessage(text);
      thread.history.push(user);
      // Saved with the turn's start, or (after a compaction's marker) now, before it is sent.
      if (!turn.userSaved) await queueWrite(thread, () => deps.store.appendItems(thread.id, turn.turnId, [user]));
      const result = await agentLoop(thread, turn);
      status = result.status;
      error = result.error;
    } catch (caught) {
      status = turn.abort.signal.aborted ? 'stopped' : 'failed';
      error = status === 'failed' ? (caught instanceof Error ? caught.message : String(caught)) : undefined;
    } finally {
      await endTurn(thread, turn, status, error);
    }
  }

  async function endTurn(thread: ThreadState, turn: RunningTurn, status: Exclude<TurnStatus, 'running'>, error: string | undefined) {
    turn.approvals.answerAll('cancelled', 'stop'); // none should be left; never leave one hanging
    if (status === 'stopped') await keepPartialOutput(thread, turn);
    cells.release({ tabId: turn.tabId, turnId: turn.turnId }); // §4.4: never leaks into the next turn
    thread.running = null;
    emit(thread, error === undefined ? { kind: 'turn.ended', threadId: thread.id, turnId: turn.turnId, status } : { kind: 'turn.ended', threadId: thread.id, turnId: turn.turnId, status, error });
    if (turn.progressTimer !== null) deps.clock.clearTimeout(turn.progressTimer);
    const { progress: _progress, ...record } = turn.record;
    await saveTurn(thread, turn, { ...record, status, ...(error !== undefined ? { error } : {}), endedAt: Date.now() });
    markDirty();
    batcher.flush();
  }

  // ---- tools and approvals ----

  let approvalCount = 0;

  /** How the turn's tool calls reach the policy, the people answering, and the tabs. */
  function callHost(thread: ThreadState, turn: RunningTurn): CallHost {
    return {
      policy: () => thread.policy,
      stopped: () => turn.abort.signal.aborted,
      async ask(call, prepared) {
        if (prepared.access === 'read') return 'approved'; // reads never wait (runFunctionCalls asks only for the others)
        const approval = {
          approvalId: `approval_${++approvalCount}_${turn.turnId}`,
          callId: call.call_id,
          name: call.name,
          access: prepared.access,
          summary: prepared.summary,
          detail: prepared.detail,
          requestedAt: Date.now(),
        };
        emit(thread, { kind: 'approval.requested', threadId: thread.id, turnId: turn.turnId, approval });
        batcher.flush(); // a person is waiting for this: no batching delay
        return (await turn.approvals.ask(approval, turn.abort.signal)).outcome;
      },
      changed(set) {
        const summary = summarizeChangeSet(set);
        turn.record.changes = [...(turn.record.changes ?? []), summary];
        // The contents go to their own store once; the record (rewritten by every progress
        // save) keeps only what the transcript shows.
        void queueWrite(thread, () => deps.store.putChangeSet(thread.id, turn.turnId, set));
        emit(thread, { kind: 'turn.changes', threadId: thread.id, turnId: turn.turnId, changeSet: summary });
        batcher.push({ kind: 'workspace.changed', workspaceId: set.workspaceId, paths: set.changes.flatMap((c) => (c.from ? [c.from, c.path] : [c.path])) });
        scheduleProgress(thread, turn, true); // the record of what changed must not wait
      },
      answered(item) {
        turn.output.done(item);
        emit(thread, { kind: 'item.done', threadId: thread.id, turnId: turn.turnId, request: turn.output.request, item });
      },
    };
  }

  /** Sets the thread's policy, saves it, and settles the approvals it now decides. */
  async function setPolicy(thread: ThreadState, policy: ApprovalPolicy): Promise<void> {
    thread.policy = policy;
    if (policy === 'auto') thread.running?.approvals.answerAll('approved', 'policy');
    if (policy === 'read-only') thread.running?.approvals.answerAll('refused', 'policy');
    await queueWrite(thread, async () => {
      const now = Date.now();
      await deps.store.updateThread(thread.id, (current) => ({ ...(current ?? { id: thread.id, title: 'New thread', createdAt: now, updatedAt: now }), approvalPolicy: policy }));
    }, 'record');
  }

  async function answerApproval(thread: ThreadState, approvalId: string, decision: ApprovalDecision): Promise<boolean> {
    const approvals = thread.running?.approvals;
    if (!approvals?.list().some((a) => a.approvalId === approvalId)) return false;
    approvals.answer(approvalId, decision === 'deny' ? 'denied' : 'approved', 'person');
    if (decision === 'allow-thread') await setPolicy(thread, 'auto');
    return true;
  }

  /**
   * Restores the files a finished turn changed. The thread is busy meanwhile: a turn cannot start
   * (its tools would race the restore) and a second revert is refused.
   */
  async function revertTurn(thread: ThreadState, turnId: string): Promise<number> {
    await thread.ready;
    if (thread.running) throw new Error('A turn is running in this thread: revert when it has finished.');
    if (thread.reverting) throw new Error('A revert is already under way in this thread.');
    thread.reverting = true;
    try {
      return await revertNow(thread, turnId);
    } finally {
      thread.reverting = false;
    }
  }

  async function revertNow(thread: ThreadState, turnId: string): Promise<number> {
    // The turn's final record may still be queued behind its items: read what has landed.
    await thread.writes;
    // No turn can start and no other revert run until this one ends: what is read now stays true.
    const turns = await deps.store.listTurns(thread.id);
    const record = turns.find((t) => t.id === turnId);
    if (!record) throw new Error('That turn is not in this thread.');
    if (record.status === 'running') throw new Error('That turn has not finished yet.');
    if (record.revertedAt !== undefined) throw new Error("This turn's changes were already reverted.");
    const sets = await deps.store.listChangeSets(turnId);
    if (sets.length === 0) throw new Error('This turn changed no files.');
    const workspace = await deps.workspaceFor(thread.id);
    const elsewhere = sets.find((set) => set.workspaceId !== workspace.id);
    if (elsewhere) throw new Error(`This turn changed files in workspace "${elsewhere.workspaceId}", and the thread now uses "${workspace.id}": switch back to it to revert.`);
    const plan = await planRevert(sets, workspace);
    if (!plan.ok) throw new Error(`Nothing was reverted: ${plan.conflicts.length === 1 ? 'a file was' : 'files were'} changed after this turn: ${plan.conflicts.join(', ')}.`);
    const paths = [...plan.restore.map((r) => r.path), ...plan.remove];
    let count: number;
    try {
      count = await applyRevert(plan, workspace);
    } finally {
      // Even a revert that failed midway changed files: views must re-read them.
      batcher.push({ kind: 'workspace.changed', workspaceId: workspace.id, paths });
    }
    await queueWrite(thread, () => deps.store.putTurn({ ...record, revertedAt: Date.now() }));
    if (paths.length > 0) {
      // The model still believes the files are as the turn left them: tell it, at the end of the
      // history, filed under the thread's latest turn so it stays in history order on export.
      const note: MessageItem = { type: 'message', role: 'developer', content: [{ type: 'input_text', text: `The user reverted the file changes of an earlier turn. These files are back as they were before it: ${paths.join(', ')}.` }] };
      thread.history.push(note);
      await queueWrite(thread, () => deps.store.appendItems(thread.id, turns.at(-1)!.id, [note]));
    }
    return count;
  }

  // ---- compaction (§4.8) ----

  function compactThreshold(): number {
    return settingsInForce.compactAtInputTokens;
  }

  /**
   * Compacts the thread's history as part of `turn`: the compact request sends the turn's value and
   * an empty cell takes the one it returns; the turn then goes on with the compacted items on a new
   * chain (no previous_response_id) and the next window. Returns null, or why it failed; a failure
   * before or between requests leaves the history as it was, and the turn goes on.
   */
  async function compactThread(thread: ThreadState, turn: RunningTurn, phase: CompactionPhase): Promise<string | null> {
    const itemsBefore = thread.history.length;
    // A failed "Compact thread" fails its turn, which says why; a failure inside a turn is a notice.
    const report = (error?: string) => {
      if (error !== undefined && phase === 'standalone') return;
      emit(thread, { kind: 'turn.compacted', threadId: thread.id, turnId: turn.turnId, phase, window: thread.windowGeneration, itemsBefore, itemsAfter: thread.history.length, ...(error !== undefined ? { error } : {}) });
    };
    if (itemsBefore === 0) {
      report('There is nothing to compact yet.');
      return phase === 'standalone' ? 'There is nothing to compact yet.' : null;
    }
    // A compact request that hangs must not hang the turn: it gets as long as a silent response.
    const giveUp = new AbortController();
    const onStop = () => giveUp.abort();
    turn.abort.signal.addEventListener('abort', onStop, { once: true });
    const timer = deps.clock.setTimeout(() => giveUp.abort(), limits.responseSilenceMs);
    const outcome = await requestCompaction({
      fetch: deps.fetch,
      url: deps.compactUrl ?? compactUrlFor(deps.httpUrl),
      settings: deps.settings,
      identity: identity(thread, turn.turnId, 'compaction'),
      history: thread.history,
      turnState: turn.cell.get(),
      signal: giveUp.signal,
      onTurnState(value) {
        const accepted = turn.cell.offer(value);
        emit(thread, { kind: 'turn.metadata', threadId: thread.id, turnId: turn.turnId, value, accepted });
        markDirty();
      },
    });
    deps.clock.clearTimeout(timer);
    turn.abort.signal.removeEventListener('abort', onStop);
    if (!outcome.ok) {
      if (turn.abort.signal.aborted) throw new Error('stopped by the user');
      const message = outcome.aborted
        ? `Compaction failed: no answer from the server within ${Math.round(limits.responseSilenceMs / 1000)} s.`
        : `Compaction failed: ${outcome.message}.`;
      log(`${thread.id}: ${message}`);
      report(message);
      return message;
    }
    thread.windowGeneration += 1;
    const marker: CompactionMarker & Item = { type: COMPACTION_MARKER, window: thread.windowGeneration, itemsBefore, output: outcome.output };
    thread.history = [...outcome.output];
    thread.chain = null; // a new chain: the next request sends the compacted input in full
    thread.lastInputTokens = null;
    turn.output.done(marker);
    turn.output.commit();
    emit(thread, { kind: 'item.done', threadId: thread.id, turnId: turn.turnId, request: turn.output.request, item: marker });
    report();
    void queueWrite(thread, () => deps.store.appendItems(thread.id, turn.turnId, [marker]));
    return null;
  }

  /**
   * A turn sent while its thread's prewarm runs waits for it (§4.7), but not forever: a Stop ends
   * the wait, and a prewarm that has not finished after PREWARM_WAIT_MS is left to finish on its
   * own while the turn goes ahead without its chain. A prewarm still waiting for a socket (the
   * pool serves turns first, see socketPool.ts openers) is served as a turn from now on, also
   * when it asks again after a failure to connect.
   */
  async function waitForPrewarm(thread: ThreadState, signal: AbortSignal): Promise<void> {
    thread.prewarmHurried = true;
    pool.hurry(thread.id);
    const timeout = new AbortController();
    const timer = deps.clock.setTimeout(() => timeout.abort(), PREWARM_WAIT_MS);
    const gaveUp = new Promise<'gave up'>((resolve, reject) => {
      timeout.signal.addEventListener('abort', () => resolve('gave up'), { once: true });
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
    try {
      if ((await Promise.race([thread.prewarm, gaveUp])) === 'gave up') thread.abandonPrewarm?.abort();
    } catch (error) {
      thread.abandonPrewarm?.abort();
      throw error;
    } finally {
      deps.clock.clearTimeout(timer);
    }
  }

  /** Queues a write of the turn's record behind the ones before it. */
  function saveTurn(thread: ThreadState, turn: RunningTurn, record: TurnRecord): Promise<void> {
    return queueWrite(thread, () => deps.store.putTurn(record));
  }

  /** Saves the running turn's progress now (item boundary) or soon (text): within
   *  progressSaveMs, or as long as writing the text so far takes at progressSaveCharsPerSecond.
   *  At a fixed 250 ms a 1 MiB answer meant ~12 saves of half a megabyte on average, each
   *  flattened, cloned and written by IndexedDB: quadratic in the answer's length, and a quarter
   *  of the broker's busy time while it streamed (worker CPU profile; 14–20 % now). A crash
   *  loses at most that delay of text. */
  function scheduleProgress(thread: ThreadState, turn: RunningTurn, now: boolean) {
    if (turn.progressTimer !== null) {
      if (!now) return;
      deps.clock.clearTimeout(turn.progressTimer);
    }
    const save = () => {
      turn.progressTimer = null;
      if (thread.running !== turn) return;
      // Quiet: progress is for a crash; tabs watching the turn have it live, and re-reading the
      // thread (a megabyte of streamed text, four times a second) would only stall them.
      void queueWrite(thread, () => deps.store.putTurn({ ...turn.record, progress: { items: turn.output.uncommitted(), streaming: turn.output.streaming(), savedAt: Date.now() } }), 'quiet');
    };
    const textDelayMs = (turn.output.streamedChars() * 1000) / limits.progressSaveCharsPerSecond;
    turn.progressTimer = deps.clock.setTimeout(save, now ? 0 : Math.max(limits.progressSaveMs, textDelayMs));
  }

  /** On Stop, the answer so far stays: finished messages and streamed text of the cut response.
   *  Function calls of that response are left out: a call without its output would make the
   *  thread's next request invalid. */
  async function keepPartialOutput(thread: ThreadState, turn: RunningTurn) {
    const finished = turn.output.uncommitted().filter((item) => item.type === 'message');
    const cut: Item[] = turn.output
      .streaming()
      .map(({ itemId, text }) => ({ type: 'message', id: itemId, role: 'assistant', status: 'incomplete', content: [{ type: 'output_text', text }] }));
    const kept = [...finished, ...cut];
    if (kept.length === 0) return;
    thread.history.push(...kept);
    for (const item of cut) emit(thread, { kind: 'item.done', threadId: thread.id, turnId: turn.turnId, request: turn.output.request, item });
    await queueWrite(thread, () => deps.store.appendItems(thread.id, turn.turnId, kept));
  }

  async function agentLoop(thread: ThreadState, turn: RunningTurn): Promise<{ status: Exclude<TurnStatus, 'running'>; error?: string }> {
    let resends = 0;
    let resendReason: string | undefined;
    let notFoundRetried = false;
    for (;;) {
      const outcome = await runRequest(thread, turn, resendReason);
      resendReason = undefined;
      switch (outcome.kind) {
        case 'completed': {
          resends = 0;
          notFoundRetried = false; // one full-input resend per request, not per turn
          const outputs = outcome.items;
          thread.history.push(...outputs);
          if (outcome.socketId !== undefined) thread.chain = { socketId: outcome.socketId, responseId: outcome.response.id, historyLength: thread.history.length };
          else thread.chain = null;
          const inputTokens = outcome.response.usage?.input_tokens;
          if (typeof inputTokens === 'number') thread.lastInputTokens = inputTokens;
          turn.output.commit();
          void queueWrite(thread, () => deps.store.appendItems(thread.id, turn.turnId, outputs));
          const calls = outputs.filter(isFunctionCall);
          if (calls.length === 0) return { status: 'completed' };
          // A Stop during the tools still answers the calls: the history must stay valid. So must a
          // workspace that cannot be opened: each call is then answered with why.
          const host = callHost(thread, turn);
          let results: FunctionCallOutputItem[];
          try {
            const workspace = await deps.workspaceFor(thread.id);
            results = await runFunctionCalls(calls, deps.tools, { workspace, jsRunner: deps.jsRunner }, host);
          } catch (error) {
            const why = `Error: the workspace could not be opened: ${error instanceof Error ? error.message : String(error)}`;
            results = calls.map((call) => ({ type: 'function_call_output', call_id: call.call_id, output: why }));
            for (const item of results) host.answered(item);
          }
          thread.history.push(...results);
          turn.output.commit();
          void queueWrite(thread, () => deps.store.appendItems(thread.id, turn.turnId, results));
          if (turn.abort.signal.aborted) return { status: 'stopped' };
          // Between tool round trips: compact when the last request was already large (§4.8).
          if (typeof inputTokens === 'number' && inputTokens > compactThreshold()) await compactThread(thread, turn, 'mid-turn');
          continue;
        }
        case 'aborted':
          return { status: 'stopped' };
        case 'dropped':
          // §4.5: a socket lost mid-turn → new socket, full input, same turn state.
          thread.chain = null;
          if (isUpgradeRefusal(outcome.code)) {
            noteRefusal(outcome.code, outcome.reason); // throws for refusals that retrying cannot fix
            resendReason = `the server refused the WebSocket upgrade (${outcome.code - 4000})`;
            continue;
          }
          if (outcome.silent) {
            // Nothing came back at all: the relay is up but cannot reach the model server.
            unreachable = `Cannot reach the model server${outcome.reason ? `: ${outcome.reason}` : ''}`;
            markDirty();
          }
          if (resends >= limits.maxResends) {
            return {
              status: 'failed',
              error: outcome.silent
                ? `${unreachable ?? 'Cannot reach the model server'}. Retry when it is back.`
                : `The connection was lost ${resends + 1} times during this turn (${outcome.reason || `code ${outcome.code}`}). Retry when the server is reachable.`,
            };
          }
          resends += 1;
          resendReason = `connection lost (${outcome.reason || `code ${outcome.code}`})`;
          await waker.sleep(deps.clock, backoffDelay(resends - 1, random), turn.abort.signal);
          continue;
        case 'error':
          if (outcome.code === CONNECTION_LIMIT || isRetryableStatus(outcome)) {
            thread.chain = null;
            if (resends >= limits.maxResends) return { status: 'failed', error: `The server kept refusing this turn (${outcome.code ?? outcome.status}): ${outcome.message}` };
            resends += 1;
            resendReason = outcome.code === CONNECTION_LIMIT ? 'connection time limit reached; moved to a new connection' : `the server was busy (${outcome.code ?? outcome.status}); retried`;
            if (outcome.code !== CONNECTION_LIMIT || resends > 1) await waker.sleep(deps.clock, backoffDelay(resends - 1, random), turn.abort.signal);
            continue;
          }
          if (outcome.code === PREVIOUS_NOT_FOUND && !notFoundRetried) {
            notFoundRetried = true;
            thread.chain = null;
            resendReason = 'the server no longer had the previous response; resent the full input';
            continue;
          }
          return { status: 'failed', error: `The server returned an error${outcome.status ? ` (${outcome.status}${outcome.code ? ` ${outcome.code}` : ''})` : outcome.code ? ` (${outcome.code})` : ''}: ${outcome.message}` };
        case 'failed':
          return { status: 'failed', error: outcome.message };
        case 'protocol':
          return { status: 'failed', error: `${outcome.message} The turn was stopped; the connection was reset.` };
      }
    }
  }

  type RequestOutcome = ResponseOutcome & { socketId?: number };

  async function runRequest(thread: ThreadState, turn: RunningTurn, resendReason: string | undefined): Promise<RequestOutcome> {
    const resend = resendReason !== undefined;
    let lease: SocketLease | null;
    try {
      lease = await acquireSocket({ threadId: thread.id, turnId: turn.turnId, kind: 'turn' }, thread.chain?.socketId, turn.abort.signal);
    } catch (error) {
      if (turn.abort.signal.aborted) return { kind: 'aborted' };
      throw error;
    }
    // The transport is fixed per request: another turn switching the broker to HTTP meanwhile
    // must not change how this response's events are read (§4.5: a WS value survives a switch).
    const onEvent = (event: AnyServerEvent) => streamEvent(thread, turn, event, lease !== null);
    const base = { settings: deps.settings, identity: identity(thread, turn.turnId, 'turn'), history: thread.history, turnState: turn.cell.get() };
    if (lease) {
      if (turn.abort.signal.aborted) {
        lease.release();
        return { kind: 'aborted' };
      }
      const chain = canChain(thread.chain, { id: lease.socketId, lastResponseId: lease.lastResponseId }) ? thread.chain : null;
      let create: ResponseCreate;
      try {
        create = buildResponseCreate({ ...base, chain });
      } catch (error) {
        lease.release(); // nothing was sent: the socket is as good as before
        throw error;
      }
      const request = turn.output.beginRequest(resend);
      emit(thread, { kind: 'turn.request', threadId: thread.id, turnId: turn.turnId, request, resend, transport: 'ws', ...(resendReason ? { reason: resendReason } : {}) });
      const outcome = await streamOverSocket(lease, create, { onEvent }, {
        maxFrameBytes: limits.maxFrameBytes,
        signal: turn.abort.signal,
        inactivity: { clock: deps.clock, ms: limits.responseSilenceMs },
      });
      settleLease(lease, outcome);
      return { ...outcome, socketId: lease.socketId };
    }
    const http = buildHttpRequest(base);
    const request = turn.output.beginRequest(resend);
    emit(thread, { kind: 'turn.request', threadId: thread.id, turnId: turn.turnId, request, resend, transport: 'http', ...(resendReason ? { reason: resendReason } : {}) });
    const outcome = await streamOverHttp(
      {
        fetch: deps.fetch,
        url: deps.httpUrl,
        body: http.body,
        headers: http.headers,
        signal: turn.abort.signal,
        onTurnState(value) {
          const accepted = turn.cell.offer(value);
          emit(thread, { kind: 'turn.metadata', threadId: thread.id, turnId: turn.turnId, value, accepted });
          markDirty();
        },
      },
      { onEvent },
    );
    if (outcome.kind === 'completed') reachable();
    return outcome;
  }

  /** Turns one server event into what tabs render, and feeds the turn's cell. */
  function streamEvent(thread: ThreadState, turn: RunningTurn, event: AnyServerEvent, overWebSocket: boolean) {
    const e = event as ServerEvent;
    switch (e.type) {
      case 'response.output_text.delta': {
        if (typeof e.delta !== 'string' || typeof e.item_id !== 'string') return;
        turn.output.delta(e.item_id, e.delta);
        emit(thread, { kind: 'text.delta', threadId: thread.id, turnId: turn.turnId, request: turn.output.request, itemId: e.item_id, delta: e.delta });
        scheduleProgress(thread, turn, false);
        return;
      }
      case 'response.output_item.done': {
        if (!e.item || typeof e.item !== 'object' || typeof e.item.type !== 'string') return;
        turn.output.done(e.item);
        emit(thread, { kind: 'item.done', threadId: thread.id, turnId: turn.turnId, request: turn.output.request, item: e.item });
        scheduleProgress(thread, turn, true);
        return;
      }
      case 'response.metadata': {
        // Over HTTP the value comes only from the response header (§4.6).
        if (!overWebSocket) return;
        const value = turnStateFromEvent(e);
        if (value === undefined) return;
        const accepted = turn.cell.offer(value);
        emit(thread, { kind: 'turn.metadata', threadId: thread.id, turnId: turn.turnId, value, accepted });
        if (accepted) markDirty();
        return;
      }
      default:
        return; // Unknown and uninteresting events are ignored (§3).
    }
  }

  // ---- RPC ----

  async function startTurn(params: { tabId: string; threadId: string; turnId: string; text: string }, kind: RunningTurn['kind'] = 'turn') {
    const text = params.text.trim();
    if (!text && kind === 'turn') throw new Error('The message is empty.');
    const thread = threadState(params.threadId);
    await thread.ready;
    // The thread was deleted (forgetThread) while it loaded: this state is no one's any more.
    if (threads.get(params.threadId) !== thread) throw new Error('This thread was deleted.');
    if (thread.running) throw new Error('A turn is already running in this thread. Wait for it to finish or press Stop.');
    if (thread.reverting) throw new Error("This thread's files are being reverted: send again in a moment.");
    const now = Date.now();
    const turn: RunningTurn = {
      tabId: params.tabId,
      turnId: params.turnId,
      kind,
      approvals: createPendingApprovals((request, outcome, by) => {
        emit(thread, { kind: 'approval.resolved', threadId: thread.id, turnId: params.turnId, approvalId: request.approvalId, outcome, by });
      }),
      record: { id: params.turnId, threadId: thread.id, tabId: params.tabId, userText: text, status: 'running', startedAt: now, ...(kind === 'compaction' ? { kind } : {}) },
      cell: cells.open({ tabId: params.tabId, turnId: params.turnId }, thread.id),
      abort: new AbortController(),
      output: createTurnOutput(),
      progressTimer: null,
      userSaved: false,
      done: Promise.resolve(),
    };
    thread.running = turn;
    // The turn's start — the thread's record, the turn's record and the user's message — is one
    // write, queued ahead of every later write of the thread, so the saved thread never shows
    // the turn's output without them. The turn runs while that write lands: its first request
    // does not wait for IndexedDB, which is shared with every tab's reads (8 tabs starting a
    // turn at once waited up to 370 ms for it). The message goes with the start unless a
    // compaction comes first (its marker must come before the message in the thread's items).
    const compactsFirst = kind === 'compaction' || (thread.lastInputTokens ?? 0) > compactThreshold();
    turn.userSaved = !compactsFirst;
    // Keep what else the record says (workspace, approval policy): tabs write those.
    const record = (existing: ThreadRecord | undefined): ThreadRecord => {
      const title = text && (!existing || existing.title === 'New thread') ? titleFrom(text) : (existing?.title ?? 'New thread');
      return { ...existing, id: thread.id, title, createdAt: existing?.createdAt ?? now, updatedAt: now };
    };
    const accepted = queueWrite(thread, () => deps.store.beginTurn(record, turn.record, turn.userSaved ? [userMessage(text)] : []), 'record');
    emit(thread, { kind: 'turn.started', threadId: thread.id, turnId: turn.turnId, tabId: turn.tabId, userText: text });
    // `done` covers the start's write too, so a Stop or a delete in these first moments waits for
    // the whole turn, not a placeholder. The tab hears back once the message is saved: until
    // then its composer keeps the text.
    turn.done = Promise.all([accepted, runTurn(thread, turn, text)]).then(() => undefined);
    await accepted;
    return { turnId: turn.turnId };
  }

  return {
    handle: ((request: BrokerRequest) => dispatch(request)) as Broker['handle'],
    inspect,
    close() {
      for (const thread of threads.values()) thread.running?.abort.abort(new Error('broker closed'));
      if (inspectorTimer !== null) deps.clock.clearTimeout(inspectorTimer);
      pool.closeAll();
      batcher.flush();
    },
  };

  function liveSnapshot(thread: ThreadState): LiveTurnSnapshot | null {
    const turn = thread.running;
    if (!turn) return null;
    // A pending delta could still grow after the snapshot is taken, under a seq the snapshot
    // already covers (the tab would drop the growth): send it now, so later text gets a new seq.
    batcher.flush();
    return {
      threadId: thread.id,
      turnId: turn.turnId,
      tabId: turn.tabId,
      userText: turn.record.userText,
      seq: thread.seq,
      request: turn.output.request,
      items: turn.output.items(),
      streaming: turn.output.streaming(),
      approvals: turn.approvals.list(),
      changes: turn.record.changes ?? [],
    };
  }

  /** Saved settings over the configured limits; applied to the pool live. */
  async function applySettings(): Promise<UserSettings> {
    let saved: Partial<UserSettings> = {};
    try {
      saved = (await deps.settingsStore?.getSettings()) ?? {};
    } catch (error) {
      log(`could not read settings: ${error instanceof Error ? error.message : String(error)}`);
    }
    const inForce: UserSettings = {
      maxSockets: saved.maxSockets ?? limits.maxSockets,
      socketIdleMs: saved.socketIdleMs ?? limits.socketIdleMs,
      compactAtInputTokens: saved.compactAtInputTokens ?? limits.compactAtInputTokens,
    };
    pool.configure({ maxSockets: inForce.maxSockets, idleTimeoutMs: inForce.socketIdleMs });
    settingsInForce = inForce;
    return inForce;
  }

  async function recoverInterruptedTurns(): Promise<void> {
    try {
      for (const turn of await deps.store.listRunningTurns()) {
        await deps.store.putTurn({ ...turn, status: 'interrupted', error: 'The app was closed while this turn ran.', endedAt: Date.now() });
        batcher.push({ kind: 'thread.changed', threadId: turn.threadId, record: false });
      }
    } catch (error) {
      log(`could not check for interrupted turns: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  async function dispatch(request: BrokerRequest): Promise<BrokerResults[BrokerRequest['method']]> {
      type R = BrokerResults[BrokerRequest['method']];
      await recovered;
      switch (request.method) {
        case 'hello':
          lastConnection = ''; // a new tab has seen no connection state yet: publish it again
          markDirty();
          return { brokerId: deps.brokerId, appVersion: deps.appVersion } as R;
        case 'openThread': {
          const thread = threadState(request.params.threadId);
          return { prewarmed: prewarm(thread), live: liveSnapshot(thread) } as R;
        }
        case 'nudge':
          waker.wake();
          return {} as R;
        case 'applySettings':
          return (await applySettings()) as R;
        case 'forgetThread': {
          const thread = threads.get(request.params.threadId);
          threads.delete(request.params.threadId); // a turn still loading this thread sees it is gone
          if (thread?.running) {
            thread.running.abort.abort(new Error('thread deleted'));
            await thread.running.done;
          }
          // A write still queued (a policy, a progress save) must land before the tab deletes the
          // records, or it would bring the thread back.
          await thread?.writes;
          return {} as R;
        }
        case 'bindWorkspace':
          deps.forgetWorkspace?.(request.params.threadId);
          batcher.push({ kind: 'thread.changed', threadId: request.params.threadId, record: true }); // the tab bound it in the record
          return {} as R;
        case 'startTurn':
          return (await startTurn(request.params)) as R;
        case 'compactThread':
          return (await startTurn({ ...request.params, text: '' }, 'compaction')) as R;
        case 'answerApproval': {
          const thread = threads.get(request.params.threadId);
          return { accepted: thread ? await answerApproval(thread, request.params.approvalId, request.params.decision) : false } as R;
        }
        case 'setApprovalPolicy': {
          const thread = threadState(request.params.threadId);
          await thread.ready;
          await setPolicy(thread, request.params.policy);
          return { policy: thread.policy } as R;
        }
        case 'revertTurn':
          return { reverted: await revertTurn(threadState(request.params.threadId), request.params.turnId) } as R;
        case 'stop': {
          const running = threads.get(request.params.threadId)?.running;
          if (!running) return { stopped: false } as R;
          running.abort.abort(new Error('stopped by the user'));
          await running.done;
          return { stopped: true } as R;
        }
        case 'inspect':
          return inspect() as R;
        case 'bye':
          return {} as R;
      }
  }
}

function titleFrom(text: string): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}
