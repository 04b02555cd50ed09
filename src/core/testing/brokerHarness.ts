// A broker wired to fakes (scripted upstream, memory store and workspace, instant clock), with
// the events it publishes collected and awaitable: the setup of every broker unit test.
import { createBroker, type BrokerLimits } from '../broker.ts';
import type { BrokerEvent, BrokerEventBatch, ThreadEvent } from '../brokerMessages.ts';
import type { Clock } from '../clock.ts';
import type { ApprovalPolicy } from '../threadStore.ts';
import { createMemoryThreadStore } from '../threadStore.ts';
import type { JsRunner } from '../tools/toolContract.ts';
import { createToolSet } from '../tools/toolSet.ts';
import { createMemoryWorkspace } from '../workspace.ts';
import { createFakeUpstream, fakeJsRunner, instantClock } from './fakes.ts';

export const tools = createToolSet();

export function setup(options: { limits?: Partial<BrokerLimits>; compactUrl?: string; files?: Record<string, string>; jsRunner?: JsRunner; workspaceFails?: string; clock?: Clock } = {}) {
  const upstream = createFakeUpstream();
  const batches: BrokerEventBatch[] = [];
  const clock = options.clock ?? instantClock;
  /** When each batch was published, on the broker's clock. */
  const batchTimes: number[] = [];
  const store = createMemoryThreadStore();
  const workspace = createMemoryWorkspace('default', options.files ?? { 'README.md': '# hi', 'src/a.ts': 'export const a = 1;' });
  const waiters: { match: (e: BrokerEvent) => boolean; resolve: (e: BrokerEvent) => void }[] = [];
  const events: BrokerEvent[] = [];
  const broker = createBroker({
    openSocket: upstream.openSocket,
    fetch: upstream.fetch,
    httpUrl: 'http://relay/v1/responses',
    publish(_topic, batch) {
      batches.push(batch);
      batchTimes.push(clock.now());
      for (const event of batch.events) {
        events.push(event);
        for (const w of waiters.splice(0)) (w.match(event) ? w.resolve(event) : waiters.push(w));
      }
    },
    store,
    workspaceFor: async () => {
      if (options.workspaceFails) throw new Error(options.workspaceFails);
      return workspace;
    },
    settings: { model: 'test-model', tools: tools.definitions },
    tools,
    jsRunner: options.jsRunner ?? fakeJsRunner,
    ...(options.compactUrl ? { compactUrl: options.compactUrl } : {}),
    clock,
    random: () => 0,
    brokerId: 'b1',
    appVersion: 'test',
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const next = (match: (e: BrokerEvent) => boolean) =>
    new Promise<BrokerEvent>((resolve) => {
      const seen = events.find(match);
      if (seen) return resolve(seen);
      waiters.push({ match, resolve });
    });
  const turnEnded = (turnId: string) => next((e) => e.kind === 'turn.ended' && e.turnId === turnId) as Promise<Extract<ThreadEvent, { kind: 'turn.ended' }>>;
  async function runTurn(threadId: string, turnId: string, text: string, tabId = 'tab-1') {
    await broker.handle({ method: 'startTurn', params: { tabId, threadId, turnId, text } });
    return turnEnded(turnId);
  }
  const setPolicy = (threadId: string, policy: ApprovalPolicy) => broker.handle({ method: 'setApprovalPolicy', params: { threadId, policy } });
  return { upstream, broker, store, workspace, batches, batchTimes, events, next, runTurn, turnEnded, setPolicy };
}

