// Metric 3 — continuation gap, measured at the engine: the moment the engine sent
// `response.completed` of a response whose output is a `list_files` call → the moment the next
// `response.create` (carrying the tool's output) arrived. Everything between is the client's:
// the browser's socket, the broker's decoding and bookkeeping, the tool (list_files over OPFS),
// and the new request. Both instants are on the engine's high-resolution clock (EngineLog).
//
// Two baselines in the same run, alternating with the broker: the floor, a WebSocket the page
// keeps open that answers the call the moment `response.completed` arrives, with a canned output
// and no bookkeeping at all (what the broker adds is the difference); and the same client in
// Node (the `ws` package, no browser), which shows what the browser's socket costs.
import NodeWebSocket from 'ws';
import { openAppTab } from '../appTab.ts';
import { ms, type BenchContext, type MetricReport } from '../context.ts';
import { quantile, round } from '../stats.ts';

const TURNS = 30;
/** The thread's first tool call also opens the OPFS workspace: start-up, not a continuation. */
const WARMUP_TURNS = 2;
const TARGET_MS = 3;
/** Issue 5: the Codex CLI 0.169 with a sandboxed `echo` against a local scripted server. */
const CODEX_CLI_GAP = '60–80 ms';

export async function measureContinuation(ctx: BenchContext): Promise<MetricReport> {
  ctx.progress(`continuation gap, ${TURNS} tool-call turns`);
  const tab = await openAppTab(ctx.browser, ctx.relayUrl);
  await tab.newThread();
  const node = await openNodeClient(ctx.socketUrl, ctx.relayUrl);
  const firstFrame = (await ctx.engine.log()).frames.length;
  for (let turn = 0; turn < TURNS; turn++) {
    // Alternate which side goes first, so a drift in the machine's state hits both alike.
    for (const side of turn % 2 === 0 ? (['broker', 'direct', 'node'] as const) : (['node', 'direct', 'broker'] as const)) {
      const marker = ctx.marker(`continuation-${side}`);
      await ctx.engine.script(
        { onlyFor: marker, toolCalls: [{ name: 'list_files', arguments: {} }] },
        { onlyFor: marker, text: 'Listed.' },
      );
      if (side === 'broker') await tab.send(`list the files ${marker}`, true);
      else if (side === 'direct') await tab.tab.run(directToolTurn, { socketUrl: ctx.socketUrl, text: `list the files ${marker}` });
      else await node.turn(`list the files ${marker}`);
    }
  }
  await tab.tab.run(() => (window as { __benchToolSocket?: WebSocket }).__benchToolSocket?.close());
  await tab.close();
  node.close();

  const log = await ctx.engine.log();
  const completedAt = new Map(log.completed.map((c) => [c.response, c.t]));
  const gaps = { broker: [] as number[], direct: [] as number[], node: [] as number[] };
  let unchained = 0;
  for (const { frame, t } of log.frames.slice(firstFrame)) {
    const input = frame.input as { type?: string; output?: unknown }[] | undefined;
    if (frame.type !== 'response.create' || input?.[0]?.type !== 'function_call_output') continue;
    const previous = typeof frame.previous_response_id === 'string' ? completedAt.get(frame.previous_response_id) : undefined;
    if (previous === undefined) unchained++;
    else gaps[input[0].output === DIRECT_OUTPUT ? 'direct' : input[0].output === NODE_OUTPUT ? 'node' : 'broker'].push(t - previous);
  }
  const measured = gaps.broker.slice(WARMUP_TURNS);
  const floor = gaps.direct.slice(WARMUP_TURNS);
  const p50 = quantile(measured, 0.5);
  const floorP50 = quantile(floor, 0.5);
  const nodeP50 = quantile(gaps.node.slice(WARMUP_TURNS), 0.5);
  return {
    id: 'continuation',
    title: '3. Continuation gap at the engine',
    method:
      `${TURNS} turns per side, alternating, each: a response with one \`list_files\` call, then the final answer; the first ${WARMUP_TURNS} of each side dropped (the workspace opens). ` +
      'Gap = arrival of the `response.create` carrying the tool output − the send of the previous `response.completed`, both on the engine\'s clock. ' +
      'Floor = a WebSocket kept open in the page that sends a canned tool output (and a request without instructions or tools) as soon as `response.completed` arrives.',
    rows: [
      {
        metric: 'Continuation gap p50 (list_files)',
        value: ms(p50),
        baseline: `${ms(floorP50)} floor: page socket answering at once (Codex CLI: ${CODEX_CLI_GAP}, issue 5)`,
        comparison: `${p50 >= floorP50 ? '+' : '−'}${ms(Math.abs(p50 - floorP50))} vs the floor; p90 ${ms(quantile(measured, 0.9))}, max ${ms(Math.max(...measured))}`,
        target: `≤ ${TARGET_MS} ms`,
        met: p50 <= TARGET_MS,
      },
      {
        metric: 'Continuation gap p50, the same client in Node (context)',
        value: ms(nodeP50),
        baseline: `${ms(floorP50)} in the page`,
        comparison: `the browser's socket adds ${ms(floorP50 - nodeP50)}`,
        target: '',
        met: null,
      },
    ],
    notes: [
      ...(unchained > 0 ? [`${unchained} continuation(s) were not chained to the previous response and were left out.`] : []),
      ...(p50 > TARGET_MS && floorP50 > TARGET_MS / 2
        ? [
            `The floor alone (the browser's socket both ways and the engine, no client work) takes ${ms(floorP50)} of the ${TARGET_MS} ms target on this machine; ` +
              `the broker's gap differs from it by ${p50 >= floorP50 ? '+' : '−'}${ms(Math.abs(p50 - floorP50))}. The same client in Node takes ${ms(nodeP50)}: the rest is Chromium's, which hands each of the response's ` +
              '8 frames (created, metadata, in_progress, item added, arguments delta and done, item done, completed) to the page in turn before the last one arrives.',
          ]
        : []),
    ],
    data: {
      turns: TURNS,
      warmupTurns: WARMUP_TURNS,
      gapsMs: gaps.broker.map((g) => round(g, 3)),
      floorGapsMs: gaps.direct.map((g) => round(g, 3)),
      nodeGapsMs: gaps.node.map((g) => round(g, 3)),
      unchained,
    },
  };
}

/** The floor's canned tool output; it also tells the floor's continuations from the broker's. */
const DIRECT_OUTPUT = 'bench: direct tool output';

const NODE_OUTPUT = 'bench: node tool output';

/** The floor's client in Node: one socket kept open, each call answered as soon as its response
 *  completes. */
async function openNodeClient(socketUrl: string, origin: string): Promise<{ turn(text: string): Promise<void>; close(): void }> {
  const socket = new NodeWebSocket(socketUrl, { headers: { origin } });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const create = (fields: Record<string, unknown>) => JSON.stringify({ type: 'response.create', model: 'bench', store: false, tools: [], ...fields });
  return {
    turn: (text) =>
      new Promise<void>((resolve, reject) => {
        socket.removeAllListeners('message');
        socket.on('message', (data) => {
          const event = JSON.parse(String(data)) as { type: string; response?: { id: string; output: { type: string; call_id?: string }[] }; error?: { message?: string } };
          if (event.type === 'response.completed') {
            const call = event.response!.output.find((item) => item.type === 'function_call');
            if (!call) return resolve();
            socket.send(create({ previous_response_id: event.response!.id, input: [{ type: 'function_call_output', call_id: call.call_id, output: NODE_OUTPUT }] }));
          } else if (event.type === 'error') {
            reject(new Error(`node turn: ${event.error?.message ?? 'error'}`));
          }
        });
        socket.send(create({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text }] }] }));
      }),
    close: () => socket.close(),
  };
}

/** Runs in the page (see ../tab.ts): one tool-call turn over a WebSocket the page keeps open
 *  between turns (as the broker keeps its own), answering the call as soon as the response
 *  completes. Resolves when the final answer completed. */
function directToolTurn(arg: { socketUrl: string; text: string }): Promise<void> {
  const w = window as { __benchToolSocket?: WebSocket };
  const output = 'bench: direct tool output'; // DIRECT_OUTPUT: page code cannot close over it
  const open = w.__benchToolSocket;
  const ready =
    open?.readyState === WebSocket.OPEN
      ? Promise.resolve(open)
      : new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(arg.socketUrl);
          socket.onopen = () => resolve(socket);
          socket.onerror = () => reject(new Error('the direct socket failed'));
          w.__benchToolSocket = socket;
        });
  const create = (fields: Record<string, unknown>) => JSON.stringify({ type: 'response.create', model: 'bench', store: false, tools: [], ...fields });
  return ready.then(
    (socket) =>
      new Promise<void>((resolve, reject) => {
        socket.onmessage = (message: MessageEvent) => {
          const event = JSON.parse(message.data as string) as { type: string; response?: { id: string; output: { type: string; call_id?: string }[] }; error?: { message?: string } };
          if (event.type === 'response.completed') {
            const call = event.response!.output.find((item) => item.type === 'function_call');
            if (!call) return resolve();
            socket.send(create({ previous_response_id: event.response!.id, input: [{ type: 'function_call_output', call_id: call.call_id, output }] }));
          } else if (event.type === 'error') {
            reject(new Error(`direct turn: ${event.error?.message ?? 'error'}`));
          }
        };
        socket.send(create({ input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: arg.text }] }] }));
      }),
  );
}
