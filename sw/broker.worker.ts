// The broker's SharedWorker entry: wires the pure broker (src/core/broker.ts) to real WebSockets,
// fetch, the BroadcastChannel, IndexedDB and OPFS. Also runs as a dedicated worker where
// SharedWorker is missing (then `self` is the one port).
/// <reference lib="webworker" />
import { APP_VERSION } from '../src/appVersion.ts';
import { createBroker, type Broker, type BrokerLimits } from '../src/core/broker.ts';
import { brokerLockName, type BrokerEventBatch, type RpcCall, type RpcReply, type TaskCall, type TaskReply } from '../src/core/brokerMessages.ts';
import { systemClock } from '../src/core/clock.ts';
import type { ModelSettings } from '../src/core/requestBuilder.ts';
import type { OpenSocket } from '../src/core/socketPool.ts';
import { createWorkspaceResolver, guardAccess } from '../src/core/workspaceResolver.ts';
import { createQuickJsRunner } from '../src/core/tools/quickJsRunner.ts';
import { createRemoteJsRunner } from '../src/core/remoteJsRunner.ts';
import { createToolSet } from '../src/core/tools/toolSet.ts';
import { createThreadWatchers } from '../src/core/threadWatchers.ts';
import { openIdbThreadStore } from '../src/storage/idbThreadStore.ts';
import { createCachedWorkspace, type CachedWorkspace } from '../src/core/cachedWorkspace.ts';
import { workspaceChannelName, type WorkspaceSyncMessage } from '../src/app/workspaceSync.ts';
import { createEventDelivery, type BatchPort } from './eventDelivery.ts';
import { createOpfsWorkspace, openOpfsWorkspace } from './opfsWorkspace.ts';
import { openWorkspaceRoot, queryAccess } from './workspaceFolders.ts';

declare const self: SharedWorkerGlobalScope & DedicatedWorkerGlobalScope;

const INSTRUCTIONS = [
  'You are Switchboard, a coding agent working in the user\'s browser.',
  'The workspace is a folder of files; use list_files and read_file to look at it before answering questions about it.',
  'Be concise. Use Markdown.',
].join(' ');

// Used only when the relay cannot be asked; the relay's /api/config names the model.
const DEFAULT_MODEL = 'gpt-5.1-codex';

const origin = self.location.origin;
const socketUrl = `${origin.replace(/^http/, 'ws')}/v1/responses`;

const openSocket: OpenSocket = (handlers) => {
  const socket = new WebSocket(socketUrl);
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => handlers.onOpen();
  socket.onmessage = (event) => handlers.onMessage(event.data as string | ArrayBuffer);
  socket.onclose = (event) => handlers.onClose(event.code, event.reason);
  return {
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
  };
};

interface StartupConfig {
  settings: ModelSettings;
  limits: Partial<BrokerLimits>;
}

const TUNABLE_LIMITS = ['maxSockets', 'socketMaxAgeMs', 'socketIdleMs', 'maxFrameBytes'] as const;

/** The relay names the model and may tune the pool (server/relay.ts RelayConfig). */
const toolSet = createToolSet();

async function loadConfig(): Promise<StartupConfig> {
  let model = DEFAULT_MODEL;
  const limits: Partial<BrokerLimits> = {};
  try {
    const response = await fetch(`${origin}/api/config`, { cache: 'no-store' });
    if (response.ok) {
      const config = (await response.json()) as { model?: unknown; broker?: Record<string, unknown> };
      if (typeof config.model === 'string' && config.model) model = config.model;
      for (const key of TUNABLE_LIMITS) {
        const value = config.broker?.[key];
        if (typeof value === 'number' && value > 0) limits[key] = value;
      }
    }
  } catch {
    // The relay is unreachable right now; the first request will say so where the user sees it.
  }
  return { settings: { model, instructions: INSTRUCTIONS, tools: toolSet.definitions }, limits };
}

// Each tab's port gets the stream of the thread it opened last (see serve()).
const watchers = createThreadWatchers<BatchPort>();
const delivery = createEventDelivery(APP_VERSION, watchers);
const brokerId = crypto.randomUUID();

const store = openIdbThreadStore();

// OPFS workspaces are read through one cache each (src/core/cachedWorkspace.ts): Switchboard is
// their only writer, and what the tabs write themselves (the Files panel) they announce on the
// workspace channel, which drops the cache. Local folders, which other programs edit, are not cached.
const opfsWorkspaces = new Map<string, Promise<CachedWorkspace>>();
const openCachedOpfs = (id: string): Promise<CachedWorkspace> => {
  let opening = opfsWorkspaces.get(id);
  if (!opening) {
    opening = openOpfsWorkspace(self.navigator.storage, id).then((workspace) => createCachedWorkspace(workspace));
    opfsWorkspaces.set(id, opening);
    opening.catch(() => opfsWorkspaces.delete(id));
  }
  return opening;
};
const invalidateWorkspace = (id: string | null) => {
  for (const [key, cached] of opfsWorkspaces) if (id === null || key === id) void cached.then((w) => w.invalidate(), () => undefined);
};
const workspaceChannel = new BroadcastChannel(workspaceChannelName(APP_VERSION));
workspaceChannel.addEventListener('message', (event: MessageEvent<WorkspaceSyncMessage>) => {
  if (event.data?.type === 'workspaces.changed') invalidateWorkspace(event.data.workspaceId);
});

// A thread's tools run on the workspace its record names, opened once and cached per thread;
// the bindWorkspace RPC (forgetWorkspace) makes the next tool call look again.
const workspaces = createWorkspaceResolver({
  getThread: (threadId) => store.getThread(threadId),
  getWorkspace: (id) => store.getWorkspace(id),
  openOpfs: openCachedOpfs,
  // A worker cannot ask the user for access: it only checks, on every operation.
  async openLocal(record) {
    const root = await openWorkspaceRoot(self.navigator.storage, record);
    return guardAccess(createOpfsWorkspace(record.id, root), record.name, () => queryAccess(root));
  },
  log: (message) => console.info(`[broker] ${message}`),
});

// run_js code runs in a worker of one of the tabs (they say hello on their port, see serve()),
// so this thread keeps streaming meanwhile; here, on this thread, only when no tab can.
const jsRunner = createRemoteJsRunner({
  local: createQuickJsRunner(),
  clock: systemClock,
  log: (message) => console.info(`[broker] ${message}`),
});

const brokerReady: Promise<Broker> = loadConfig().then(({ settings, limits }) =>
  createBroker({
    openSocket,
    fetch: (url, init) => fetch(url, init),
    httpUrl: `${origin}/v1/responses`,
    publish(topic, batch) {
      delivery.publish(topic, batch);
      // What this broker's tools wrote, other brokers (a dedicated-worker fallback per tab, another
      // app version) must not answer from their caches: say it on the workspace channel too.
      // (workspace.changed is app-wide: a thread's batches never carry one.)
      if (topic !== null) return;
      for (const event of batch.events) {
        if (event.kind === 'workspace.changed') workspaceChannel.postMessage({ type: 'workspaces.changed', workspaceId: event.workspaceId, fromBroker: true } satisfies WorkspaceSyncMessage);
      }
    },
    store,
    settingsStore: store,
    workspaceFor: (threadId) => workspaces.workspaceFor(threadId),
    forgetWorkspace: (threadId) => workspaces.forget(threadId),
    tools: toolSet,
    jsRunner,
    settings,
    limits,
    clock: systemClock,
    brokerId,
    appVersion: APP_VERSION,
    log: (message) => console.info(`[broker] ${message}`),
  }),
);

// Held for the broker's whole life: tabs wait on the same lock and are granted it only when this
// worker is gone, which is how they notice a dead broker and start a new one.
void self.navigator.locks?.request(brokerLockName(APP_VERSION), () => new Promise<never>(() => undefined));

interface PortLike {
  postMessage(message: RpcReply | TaskCall | BrokerEventBatch): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
}

function serve(port: PortLike) {
  /** The tab on this port, once it said hello: the port then also runs run_js code. */
  let tabId: string | null = null;
  port.addEventListener('message', (event: MessageEvent) => {
    const message = event.data as RpcCall | TaskReply | null;
    if (message?.kind === 'taskResult') {
      if (tabId !== null) jsRunner.taskReply(tabId, port, message);
      return;
    }
    const call = message;
    if (!call || call.kind !== 'call') return;
    if (call.method === 'hello') {
      tabId = call.params.tabId;
      jsRunner.tabHello(tabId, port);
    } else if (call.method === 'openThread') {
      // Now, before the broker takes the snapshot: every event after it reaches this port.
      watchers.watch(call.params.tabId, call.params.threadId, port);
    } else if (call.method === 'bye') {
      jsRunner.tabBye(call.params.tabId);
      watchers.forget(call.params.tabId);
    }
    brokerReady
      .then((broker) => broker.handle(call))
      .then(
        (result) => port.postMessage({ kind: 'reply', id: call.id, ok: true, result }),
        (error: unknown) => port.postMessage({ kind: 'reply', id: call.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  });
  port.start?.();
}

if ('onconnect' in self) {
  self.addEventListener('connect', (event) => {
    const port = (event as MessageEvent).ports[0];
    if (port) serve(port);
  });
} else {
  serve(self as unknown as PortLike);
}
