// Everything that crosses between a tab and the broker, as discriminated unions in one place.
// Requests go tab → broker over the tab's MessagePort (RPC); everything a tab shows comes back
// as batched events on one BroadcastChannel, so every tab sees every thread's stream.
import type { Item } from './wire.ts';

/** Name of the BroadcastChannel the broker publishes on; carries the app version so that an
 *  old tab and a new broker never talk past each other. */
export function eventChannelName(appVersion: string): string {
  return `switchboard:events:${appVersion}`;
}

/** Name of the SharedWorker; a new deployment gets a new broker. */
export function brokerWorkerName(appVersion: string): string {
  return `switchboard-broker:${appVersion}`;
}

// ---- RPC (tab → broker → tab, over the port) ----

export type BrokerRequest =
  | { method: 'hello'; params: { tabId: string } }
  | { method: 'openThread'; params: { tabId: string; threadId: string } }
  | { method: 'startTurn'; params: { tabId: string; threadId: string; turnId: string; text: string } }
  | { method: 'stop'; params: { threadId: string } }
  | { method: 'inspect'; params: Record<string, never> }
  | { method: 'bye'; params: { tabId: string } };

export interface BrokerResults {
  hello: { brokerId: string; appVersion: string };
  openThread: { prewarmed: boolean };
  startTurn: { turnId: string };
  stop: { stopped: boolean };
  inspect: InspectorState;
  bye: Record<string, never>;
}

export type BrokerMethod = BrokerRequest['method'];
export type ParamsOf<M extends BrokerMethod> = Extract<BrokerRequest, { method: M }>['params'];

export type RpcCall = { kind: 'call'; id: number } & BrokerRequest;
export type RpcReply =
  | { kind: 'reply'; id: number; ok: true; result: unknown }
  | { kind: 'reply'; id: number; ok: false; error: string };

// ---- Broadcast events (broker → every tab) ----

export type TurnStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'interrupted';

/** Events tied to one thread carry `seq`, a per-thread counter, so a tab can detect a gap. */
export type ThreadEvent =
  | { kind: 'turn.started'; threadId: string; turnId: string; tabId: string; seq: number; userText: string }
  /** A request of the turn began. `resend` is true when it replaces a request that died
   *  mid-stream: the tab drops the partial text of that dead attempt. */
  | { kind: 'turn.request'; threadId: string; turnId: string; seq: number; request: number; resend: boolean; transport: 'ws' | 'http'; reason?: string }
  | { kind: 'text.delta'; threadId: string; turnId: string; seq: number; itemId: string; delta: string }
  | { kind: 'item.done'; threadId: string; turnId: string; seq: number; item: Item }
  /** A turn-state value the server returned; `accepted` is false when the cell already held one. */
  | { kind: 'turn.metadata'; threadId: string; turnId: string; seq: number; value: string; accepted: boolean }
  | { kind: 'turn.ended'; threadId: string; turnId: string; seq: number; status: Exclude<TurnStatus, 'running'>; error?: string };

/** A thread event before the broker stamps its sequence number. */
export type ThreadEventBody = ThreadEvent extends infer E ? (E extends { seq: number } ? Omit<E, 'seq'> : never) : never;

export type BrokerEvent =
  | ThreadEvent
  | { kind: 'thread.changed'; threadId: string }
  | { kind: 'inspector'; state: InspectorState }
  | { kind: 'connection'; state: ConnectionState; detail?: string };

export interface BrokerEventBatch {
  type: 'batch';
  events: BrokerEvent[];
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
}
