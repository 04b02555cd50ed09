// Everything that crosses between a tab and the broker, as discriminated unions in one place.
// Requests go tab → broker over the tab's MessagePort (RPC), tasks broker → tab over the same
// port. What a tab shows comes back as batched events: the stream of the thread it shows on its
// own port (a port delivers in ~0.15 ms where a BroadcastChannel takes ~0.7: a SharedWorker posting
// 200-byte messages to a page, Chromium 150 on 2 cores),
// everything app-wide (inspector, connection, thread list changes) on one BroadcastChannel.
import type { UserSettings } from './settings.ts';
import type { ApprovalPolicy } from './threadStore.ts';
import type { ChangeKind } from './turnChanges.ts';
import type { JsRunLimits, JsRunResult, ToolAccess } from './tools/toolContract.ts';
import type { Item } from './wire.ts';

/** Name of the BroadcastChannel the broker publishes app-wide events on (inspector, connection,
 *  thread list changes); carries the app version so that an old tab and a new broker never talk
 *  past each other. */
export function eventChannelName(appVersion: string): string {
  return `switchboard:events:${appVersion}`;
}

/** Name of the SharedWorker; a new deployment gets a new broker. */
export function brokerWorkerName(appVersion: string): string {
  return `switchboard-broker:${appVersion}`;
}

/** A Web Lock the broker holds for its whole life. A tab that asks for the same lock is granted
 *  it only when the broker is gone (crashed or killed): that is how tabs detect a dead broker. */
export function brokerLockName(appVersion: string): string {
  return `switchboard-broker-alive:${appVersion}`;
}

/** A version-independent channel on which tabs announce their app version, so a tab of an
 *  older deployment learns that a newer one is open and asks its user to reload. */
export const DEPLOY_CHANNEL = 'switchboard:deploy';
export type DeployMessage = { type: 'version'; appVersion: string };

// ---- RPC (tab → broker → tab, over the port) ----

export type BrokerRequest =
  | { method: 'hello'; params: { tabId: string } }
  /** The tab shows this thread: answers with its running turn (BrokerResults.openThread), and
   *  from now on the thread's events (those with a `seq`, and a `thread.changed` of its turns
   *  and items) come on the port that asked, instead of those of the thread the tab opened
   *  before. `bye` ends that. */
  | { method: 'openThread'; params: { tabId: string; threadId: string } }
  | { method: 'startTurn'; params: { tabId: string; threadId: string; turnId: string; text: string } }
  /** "Compact thread": a turn of its own that only compacts the thread's history (§4.8). */
  | { method: 'compactThread'; params: { tabId: string; threadId: string; turnId: string } }
  /** A person's answer to a pending approval; the first answer wins (another tab may have
   *  answered already). `allow-thread` approves and sets the thread's policy to `auto`. */
  | { method: 'answerApproval'; params: { threadId: string; approvalId: string; decision: ApprovalDecision } }
  /** Sets the thread's approval policy (saved in its record); pending approvals follow it. */
  | { method: 'setApprovalPolicy'; params: { threadId: string; policy: ApprovalPolicy } }
  /** Restores the files a finished turn changed, if nothing changed them since. */
  | { method: 'revertTurn'; params: { threadId: string; turnId: string } }

  | { method: 'stop'; params: { threadId: string } }
  | { method: 'inspect'; params: Record<string, never> }
  /** The thread was deleted: stop its turn if one runs and drop what the broker holds of it
   *  (history, chain), so a thread later created or imported with the same id starts clean. */
  | { method: 'forgetThread'; params: { threadId: string } }
  /** The tab bound the thread to another workspace (ThreadRecord.workspaceId, already saved):
   *  the broker's tools use it from the next call on. */
  | { method: 'bindWorkspace'; params: { threadId: string } }
  /** The user saved settings (src/core/settings.ts): re-read them and apply them now. */
  | { method: 'applySettings'; params: Record<string, never> }
  /** The network may be back (`online`, a tab became visible): retry waiting connections now. */
  | { method: 'nudge'; params: Record<string, never> }
  | { method: 'bye'; params: { tabId: string } };

export interface BrokerResults {
  hello: { brokerId: string; appVersion: string };
  /** `live`: the thread's running turn as the broker holds it now, so a tab that opens the thread
   *  mid-turn (a reload, a new tab) shows everything so far, then applies only events whose seq
   *  is greater than `live.seq`: no gap, no duplicate. */
  openThread: { prewarmed: boolean; live: LiveTurnSnapshot | null };
  startTurn: { turnId: string };
  compactThread: { turnId: string };
  /** false: the approval was already answered (or its turn ended). */
  answerApproval: { accepted: boolean };
  setApprovalPolicy: { policy: ApprovalPolicy };
  revertTurn: { reverted: number };
  stop: { stopped: boolean };
  inspect: InspectorState;
  nudge: Record<string, never>;
  forgetThread: Record<string, never>;
  bindWorkspace: Record<string, never>;
  /** The settings now in force (saved values over the relay's and built-in defaults). */
  applySettings: UserSettings;
  bye: Record<string, never>;
}

export type BrokerMethod = BrokerRequest['method'];
export type ParamsOf<M extends BrokerMethod> = Extract<BrokerRequest, { method: M }>['params'];

export interface LiveTurnSnapshot {
  threadId: string;
  turnId: string;
  tabId: string;
  userText: string;
  /** The thread's last seq included in this snapshot. */
  seq: number;
  /** The current request number (see `turn.request`). */
  request: number;
  /** Finished items of the turn so far (a dead request's items are not among them). */
  items: Item[];
  /** Text streaming for items not finished yet, in order. */
  streaming: { itemId: string; text: string }[];
  /** Calls waiting for a person's approval now. */
  approvals: ApprovalRequest[];
  /** Files the turn changed so far. */
  changes: TurnChangeSet[];
}

export type ApprovalDecision = 'approve' | 'deny' | 'allow-thread';

/** A write or run_js call waiting for a person (policy `ask`). */
export interface ApprovalRequest {
  approvalId: string;
  callId: string;
  /** The tool's name. */
  name: string;
  access: Exclude<ToolAccess, 'read'>;
  /** One line, e.g. "apply_patch: add 2 files, update 1". */
  summary: string;
  /** What is approved: the diff of a write, the code of run_js. */
  detail: string;
  requestedAt: number;
}

/** How a call that needed approval ended up: the model reads the outcome as the tool's output. */
export type ApprovalOutcome = 'approved' | 'denied' | 'refused' | 'cancelled';

/** One file a turn changed, as tabs show it (the broker keeps the contents for a revert). */
export interface ChangeSummary {
  path: string;
  kind: ChangeKind;
  from?: string;
  diff: string;
}

/** The files one tool call changed. */
export interface TurnChangeSet {
  callId: string;
  tool: string;
  changes: ChangeSummary[];
}

export type RpcCall = { kind: 'call'; id: number } & BrokerRequest;
export type RpcReply =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };

// ---- Tasks (broker → tab → broker, over the same port) ----
// The other direction, independent of the RPC above (its own kinds, its own ids): the broker asks
// a tab for what the broker's own thread must not do. Chromium gives a SharedWorker no nested
// Worker, so run_js code runs in a dedicated worker a tab starts (src/app/jsRunnerHost.ts): the
// broker's thread, and with it every tab's stream, never waits for it. The broker sends tasks
// only to tabs that said hello on the port, and stops when they say bye
// (src/core/remoteJsRunner.ts); the tab answers each with one taskResult (src/app/brokerTasks.ts).

export type BrokerTask =
  /** Run code in the tab's sandbox worker under `limits`; the answer is never later than
   *  tabAnswerBudgetMs(limits.timeoutMs) (src/core/runJsDeadlines.ts). */
  { task: 'runJs'; code: string; limits: JsRunLimits };

export interface BrokerTaskResults {
  runJs: JsRunResult;
}

export type BrokerTaskName = BrokerTask['task'];
export type { JsRunLimits };

export type TaskCall = { kind: 'task'; id: number } & BrokerTask;
/** `ok: false`: the tab could not run the task at all (not: the code failed, which is a result). */
export type TaskReply =
  | { kind: 'taskResult'; id: number; ok: true; result: BrokerTaskResults[BrokerTaskName] }
  | { kind: 'taskResult'; id: number; ok: false; error: string };

// ---- Broadcast events (broker → every tab) ----

export type TurnStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/** When a compaction ran: before the turn's first request, between tool round trips, or as the
 *  whole of a "Compact thread" turn. */
export type CompactionPhase = 'pre-turn' | 'mid-turn' | 'standalone';

/** Events tied to one thread carry `seq`, a per-thread counter, so a tab can detect a gap. */
export type ThreadEvent =
  | { kind: 'turn.started'; threadId: string; turnId: string; tabId: string; seq: number; userText: string }
  /** A request of the turn began. `resend` is true when it replaces a request that died
   *  mid-stream: the tab drops the partial text of that dead attempt. */
  | { kind: 'turn.request'; threadId: string; turnId: string; seq: number; request: number; resend: boolean; transport: 'ws' | 'http'; reason?: string }
  /** `request`: the request the item belongs to. When a `turn.request` with `resend:true` and
   *  number r arrives, everything of request r-1 is void (that response died; its output is
   *  not part of the conversation) and the tab drops it. Tool outputs carry the number of the
   *  request whose function calls they answer. */
  | { kind: 'text.delta'; threadId: string; turnId: string; seq: number; request: number; itemId: string; delta: string }
  | { kind: 'item.done'; threadId: string; turnId: string; seq: number; request: number; item: Item }
  /** A turn-state value the server returned; `accepted` is false when the cell already held one. */
  | { kind: 'turn.metadata'; threadId: string; turnId: string; seq: number; value: string; accepted: boolean }
  | { kind: 'approval.requested'; threadId: string; turnId: string; seq: number; approval: ApprovalRequest }
  | { kind: 'approval.resolved'; threadId: string; turnId: string; seq: number; approvalId: string; outcome: ApprovalOutcome; by: 'person' | 'policy' | 'stop' }
  /** A tool call of the turn changed files. */
  | { kind: 'turn.changes'; threadId: string; turnId: string; seq: number; changeSet: TurnChangeSet }
  /** The thread's history was compacted (§4.8): later requests start a new window. */
  | { kind: 'turn.compacted'; threadId: string; turnId: string; seq: number; window: number; phase: CompactionPhase; itemsBefore: number; itemsAfter: number; error?: string }
  | { kind: 'turn.ended'; threadId: string; turnId: string; seq: number; status: Exclude<TurnStatus, 'running'>; error?: string };

/** A thread event before the broker stamps its sequence number. */
export type ThreadEventBody = ThreadEvent extends infer E ? (E extends { seq: number } ? Omit<E, 'seq'> : never) : never;

export type BrokerEvent =
  | ThreadEvent
  /** The thread's saved data changed: tabs showing it re-read it. `record`: its own record too
   *  (title, order, policy, workspace), so thread lists re-read; a turn's records and items
   *  alone do not change a list, and every open tab would re-read and redraw it. */
  | { kind: 'thread.changed'; threadId: string; record: boolean }
  /** Files of a workspace changed (a tool wrote them, a revert restored them): file trees and
   *  viewers showing it re-read. `paths`: workspace-relative, or empty for "anything". */
  | { kind: 'workspace.changed'; workspaceId: string; paths: string[] }
  | { kind: 'inspector'; state: InspectorState }
  | { kind: 'connection'; state: ConnectionState; detail?: string };

export interface BrokerEventBatch {
  type: 'batch';
  events: BrokerEvent[];
}

export function isEventBatch(data: unknown): data is BrokerEventBatch {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'batch' && Array.isArray((data as { events?: unknown }).events);
}

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'http-fallback' | 'unreachable';

export interface SocketInfo {
  id: number;
  state: 'connecting' | 'open' | 'closing' | 'closed';
  /** "thread/turn" running on the socket, or null while idle. */
  busyWith: { threadId: string; turnId: string; kind: 'turn' | 'prewarm' } | null;
  lastResponseId: string | null;
  openedAt: number;
  responses: number;
}

export interface CellInfo {
  tabId: string;
  turnId: string;
  threadId: string;
  value: string | null;
}

export interface InspectorState {
  transport: 'ws' | 'http';
  sockets: SocketInfo[];
  cells: CellInfo[];
  queued: number;
  handshakes: number;
  /** Threads with a turn running now (the thread list marks them; their streams are on their
   *  own channels, which a tab hears only for the thread it shows). */
  runningThreads: string[];
}
