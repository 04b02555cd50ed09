// Runs in the page (see ../tab.ts: self-contained functions, JSON in and out), installed at the
// start of every document the tab loads (Tab.addInitScript).
//
// The measurement hook of a benchmark tab. It observes, it does not take part: for the broker
// path it opens its OWN port to the app's broker (the SharedWorker the app started, same script
// and name) and asks it for the thread's stream as a tab does (openThread), so the app's port,
// store and rendering run unchanged and the receipt time is the port's, not the app's; this
// also lets a tab that shows another thread (nothing drawn) receive a stream. For the direct
// baseline it opens a WebSocket to the relay from the page and renders what arrives the
// cheapest reasonable way (see directRenderer). Both sides record the same
// things: when each text delta arrived (wall clock, `performance.timeOrigin + performance.now()`,
// which Chromium coarsens to 0.1 ms), the engine's send stamp when the delta carries one, long
// tasks, and the longest gap between animation frames.

export interface CaptureSpec {
  /** broker: deltas of `threadId` on a port of the probe's own to the broker; direct: deltas on a
   *  page socket; relayWorker: deltas on a port to a bare SharedWorker that forwards a socket's
   *  frames per stream (see startRelayWorker), the floor of any broker in a SharedWorker. */
  mode: 'broker' | 'direct' | 'relayWorker';
  threadId?: string;
  /** The capture completes once this many deltas arrived. */
  expected: number;
  /** Characters per engine delta (the firehose's `chars`). The broker joins consecutive deltas of
   *  an item into one event, so an event of k × chars characters counts as k deltas, each with
   *  its own stamp at a multiple of `chars`. */
  chars: number;
  /** Keep every delta's latency (needs stamped deltas); off for firehoses, to keep memory flat. */
  latencies: boolean;
  /** Track the longest gap between animation frames. Only for tabs that render the stream: an
   *  animation-frame loop makes an otherwise idle tab produce 60 frames a second, which on a
   *  small machine slows every other tab down. */
  watchFrames?: boolean;
  /** direct, and the relayWorker tab that `opens` its socket: the relay's WebSocket URL and the
   *  user text the engine's plan waits for. */
  socketUrl?: string;
  userText?: string;
  /** relayWorker only: the worker's script (startRelayWorker, made in one tab and used by all,
   *  so that they share one worker), and whether this tab, once it listens to `threadId`, asks it
   *  to open that stream's socket (with several tabs on one stream: the last tab to start, so that
   *  every other one listens already). */
  workerUrl?: string;
  opens?: boolean;
  /** direct and relayWorker: render the text (a tab showing the stream; the default) or, when
   *  false, only parse it (a tab that receives it but shows something else, like a broker tab on
   *  another thread). */
  render?: boolean;
}

export interface CaptureResult {
  count: number;
  /** Wall-clock receipt of the first and the last delta (ms since the epoch). */
  firstAt: number;
  lastAt: number;
  /** Receipt − engine send stamp, per delta (ms), when `latencies` was asked for. */
  latencies: number[];
  /** Long tasks (> 50 ms) that overlapped the stream, from first to last delta. */
  longTasksDuring: number[];
  /** Long tasks after the last delta until the capture was collected (final render, persistence). */
  longTasksAfter: number[];
  /** Longest interval between two animation frames while the stream ran (ms; 0 unless `watchFrames`). */
  maxFrameGapMs: number;
  timedOut: boolean;
}

export interface BenchProbe {
  /** How the app started its broker (SharedWorker script and options), once it did; null before. */
  brokerWorker: { url: string; options: unknown } | null;
  /** Resolves once the capture listens (broker: the broker has registered its port). */
  start(spec: CaptureSpec): Promise<void>;
  /** Resolves when the capture has all its deltas (or after `timeoutMs`); then, with
   *  `untilIdle`, waits for the transcript to stop being busy (the turn ended and was re-read),
   *  and `settleMs` more, so that work triggered by the end of the stream (the final markdown
   *  render, re-reading the thread) shows up in `longTasksAfter`. With `untilEnded` (broker
   *  captures), waits for the broker's `turn.ended` of the thread, displayed or not. */
  collect(options: { timeoutMs: number; settleMs: number; untilIdle?: boolean; untilEnded?: boolean }): Promise<CaptureResult>;
}

declare global {
  interface Window {
    __benchProbe?: BenchProbe;
  }
}

/** Installs `window.__benchProbe` at document start. */
export function installProbe(): void {
  if (window.__benchProbe) return;
  const now = () => performance.timeOrigin + performance.now();
  const STAMP = /^@(\d+\.\d{3}) /;

  const longTasks: { start: number; end: number; duration: number }[] = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const start = performance.timeOrigin + entry.startTime;
      longTasks.push({ start, end: start + entry.duration, duration: entry.duration });
    }
  }).observe({ type: 'longtask' });

  interface Capture {
    spec: CaptureSpec;
    count: number;
    firstAt: number;
    lastAt: number;
    latencies: number[];
    maxFrameGap: number;
    lastFrame: number;
    ended: boolean;
    done: () => void;
    finished: Promise<void>;
    closeSocket?: () => void;
    closePort?: () => void;
    /** relayWorker captures: the plain-block renderer the direct side uses (or one that draws nothing). */
    draw?: (text: string) => void;
  }
  let capture: Capture | null = null;

  const receive = (delta: string, at: number) => {
    const c = capture;
    if (!c) return;
    const chars = c.spec.chars;
    const deltas = Math.max(1, Math.round(delta.length / chars));
    if (c.count === 0) c.firstAt = at;
    c.count += deltas;
    c.lastAt = at;
    if (c.spec.latencies) {
      for (let i = 0; i < deltas; i++) {
        const stamp = STAMP.exec(delta.slice(i * chars, i * chars + 24));
        if (stamp) c.latencies.push(at - Number(stamp[1]));
      }
    }
    if (c.count >= c.spec.expected) c.done();
  };

  const onBatch = (event: MessageEvent) => {
    const c = capture;
    if (!c || c.spec.mode === 'direct') return;
    const at = now();
    const batch = event.data as { type?: string; events?: { kind: string; threadId?: string; delta?: string }[] };
    if (batch?.type !== 'batch' || !batch.events) return;
    for (const e of batch.events) {
      if (e.threadId !== c.spec.threadId) continue;
      if (e.kind === 'text.delta') {
        c.draw?.(e.delta ?? '');
        receive(e.delta ?? '', at);
      }
      else if (e.kind === 'turn.ended') c.ended = true;
    }
  };

  let looping = false;
  const frameLoop = (t: number) => {
    const c = capture;
    if (!c?.spec.watchFrames) {
      looping = false;
      return;
    }
    if (c.count > 0 && c.count < c.spec.expected) c.maxFrameGap = Math.max(c.maxFrameGap, t - c.lastFrame);
    c.lastFrame = t;
    requestAnimationFrame(frameLoop);
  };

  /** The direct side's transcript: text appended once per frame into ~2 kB blocks, so that a
   *  frame re-lays-out only the open block, as the app's AssistantText does. The column is as
   *  wide as the app's text column (its transcript's content box) in the app's font: the whole
   *  window's width would lay the same text out in less than half the lines. */
  function directRenderer() {
    const box = document.createElement('div');
    box.setAttribute('style', 'position:fixed;inset:0;overflow:auto;background:#fff;color:#000;font:14px/1.5 system-ui;white-space:pre-wrap;padding:16px;z-index:9999');
    const column = document.createElement('div');
    const width = appColumnWidth();
    if (width !== null) column.style.cssText = `width:${width}px;margin:0 auto`;
    box.append(column);
    document.body.append(box);
    let open = document.createElement('div');
    column.append(open);
    let pending: string[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      open.textContent += pending.join('');
      pending = [];
      if (open.textContent!.length > 2048) {
        open = document.createElement('div');
        column.append(open);
      }
      box.scrollTop = box.scrollHeight;
    };
    return {
      push(text: string) {
        pending.push(text);
        if (!scheduled) {
          scheduled = true;
          requestAnimationFrame(flush);
        }
      },
      remove: () => box.remove(),
    };
  }

  /** The content width of the app's transcript column, or null when no thread is shown. */
  function appColumnWidth(): number | null {
    const inner = document.querySelector('.transcript__inner');
    if (!inner) return null;
    const style = getComputedStyle(inner);
    return inner.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  }

  /** What draws a capture's text: the plain blocks, or nothing when `render` is false. */
  const rendererFor = (spec: CaptureSpec) => (spec.render === false ? { push: (_text: string) => undefined, remove: () => undefined } : directRenderer());

  function openDirectSocket(c: Capture) {
    const spec = c.spec;
    const renderer = rendererFor(spec);
    const socket = new WebSocket(spec.socketUrl!);
    socket.onopen = () => {
      socket.send(JSON.stringify({
        type: 'response.create',
        model: 'bench',
        store: false,
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: spec.userText }] }],
        tools: [],
      }));
    };
    socket.onmessage = (message: MessageEvent) => {
      const at = now();
      // A real client parses every frame; so does the broker in its worker.
      const event = JSON.parse(message.data as string) as { type: string; delta?: string };
      if (event.type === 'response.output_text.delta') {
        renderer.push(event.delta!);
        receive(event.delta!, at);
      } else if (event.type === 'response.completed' || event.type === 'error') {
        socket.close();
      }
    };
    c.closeSocket = () => {
      socket.close();
      renderer.remove();
    };
  }

  const probe: BenchProbe = {
    brokerWorker: null,
    async start(spec) {
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const c: Capture = { spec, count: 0, firstAt: 0, lastAt: 0, latencies: [], maxFrameGap: 0, lastFrame: performance.now(), ended: false, done, finished };
      capture = c;
      if (spec.watchFrames && !looping) {
        looping = true;
        requestAnimationFrame(frameLoop);
      }
      if (spec.mode === 'direct') openDirectSocket(c);
      else if (spec.mode === 'relayWorker') {
        const renderer = rendererFor(spec);
        c.draw = renderer.push;
        const closePort = await listenToRelayWorker(spec);
        c.closePort = () => {
          closePort();
          renderer.remove();
        };
      }
      else c.closePort = await listenToThread(spec.threadId!);
    },
    async collect({ timeoutMs, settleMs, untilIdle, untilEnded }) {
      const c = capture;
      if (!c) throw new Error('no capture started');
      let timedOut = false;
      const deadline = performance.now() + timeoutMs;
      await Promise.race([c.finished, new Promise<void>((resolve) => setTimeout(() => ((timedOut = true), resolve()), timeoutMs))]);
      const busy = () => document.querySelector('[role="log"][aria-label="Transcript"]')?.getAttribute('aria-busy') !== 'false';
      while (untilIdle && !timedOut && busy() && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      while (untilEnded && !timedOut && !c.ended && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      await new Promise((resolve) => setTimeout(resolve, settleMs));
      capture = null;
      c.closeSocket?.();
      c.closePort?.();
      const overlaps = (from: number, to: number) => longTasks.filter((t) => t.end > from && t.start < to).map((t) => Math.round(t.duration));
      return {
        count: c.count,
        firstAt: c.firstAt,
        lastAt: c.lastAt,
        latencies: c.latencies,
        longTasksDuring: overlaps(c.firstAt, c.lastAt),
        longTasksAfter: longTasks.filter((t) => t.start >= c.lastAt).map((t) => Math.round(t.duration)),
        maxFrameGapMs: Math.round(c.maxFrameGap * 10) / 10,
        timedOut,
      };
    },
  };
  window.__benchProbe = probe;

  /** A port of its own to the app's broker, on which it opens the thread as a tab would: the
   *  broker then sends the thread's batches to this port too (BrokerRequest.openThread). The RPC
   *  shapes mirror src/core/brokerMessages.ts (page code cannot import it). */
  async function listenToThread(threadId: string): Promise<() => void> {
    const made = probe.brokerWorker;
    if (!made) throw new Error('the app started no broker SharedWorker');
    const port = new NativeSharedWorker!(made.url, made.options as WorkerOptions).port;
    const tabId = `bench-probe-${crypto.randomUUID()}`;
    const opened = new Promise<void>((resolve) => {
      port.onmessage = (event: MessageEvent) => {
        if ((event.data as { kind?: string; id?: number })?.kind === 'reply' && event.data.id === 1) resolve();
        else onBatch(event);
      };
    });
    port.postMessage({ kind: 'call', id: 1, method: 'openThread', params: { tabId, threadId } });
    await opened;
    return () => {
      port.postMessage({ kind: 'call', id: 2, method: 'bye', params: { tabId } });
      port.close();
    };
  }

  /** A port to the bare relay worker at `spec.workerUrl` (one per script URL, shared by the
   *  tabs); once it listens, and when `spec.opens`, asks the worker to open its socket. */
  async function listenToRelayWorker(spec: CaptureSpec): Promise<() => void> {
    const port = new NativeSharedWorker!(spec.workerUrl!).port;
    const listening = new Promise<void>((resolve) => {
      port.onmessage = (event: MessageEvent) => {
        if ((event.data as { type?: string })?.type === 'listening') resolve();
        else onBatch(event);
      };
    });
    port.postMessage({ type: 'listen', threadId: spec.threadId });
    await listening;
    if (spec.opens) port.postMessage({ type: 'open', socketUrl: spec.socketUrl, userText: spec.userText, threadId: spec.threadId });
    return () => {
      port.postMessage({ type: 'leave', threadId: spec.threadId });
      port.close();
    };
  }

  // Notes how the app starts its broker, so that listenToThread can connect to the same one.
  const NativeSharedWorker = window.SharedWorker as typeof SharedWorker | undefined;
  if (NativeSharedWorker) {
    window.SharedWorker = class extends NativeSharedWorker {
      constructor(url: string | URL, options?: string | WorkerOptions) {
        super(url, options);
        probe.brokerWorker ??= { url: String(url), options };
      }
    } as typeof SharedWorker;
  }
}

/**
 * Runs in one page: makes the script of a bare relay worker, starts it and returns its blob URL
 * (valid in every tab of the origin while that page lives, so all of them reach one worker). The worker is
 * the least a broker in a SharedWorker can do: it opens a WebSocket per stream when asked, parses
 * each frame (as the broker does) and forwards the text deltas to the ports listening to that
 * stream, batched by the broker's rule (src/core/eventBatcher.ts, which page code cannot import):
 * one batcher for all streams; a stream's consecutive deltas join into one event (a new one past
 * 64 KiB); a batch goes out at the end of the task when the last went out 4 ms ago or more, else
 * when its 4 ms window closes, or at once at 64 events. No turn state, no storage, no UI: what it
 * adds over a page socket is the design's own cost on this machine. A stream's listeners are
 * dropped when its response completes.
 */
export async function startRelayWorker(): Promise<string> {
  const source = `
    const listeners = new Map(); // stream id -> ports
    onconnect = (event) => {
      const port = event.ports[0];
      port.onmessage = ({ data }) => {
        if (data.type === 'listen') {
          if (!listeners.has(data.threadId)) listeners.set(data.threadId, new Set());
          listeners.get(data.threadId).add(port);
          port.postMessage({ type: 'listening' });
        } else if (data.type === 'leave') {
          listeners.get(data.threadId)?.delete(port);
        } else if (data.type === 'open') {
          open(data);
        }
      };
    };

    const MAX_EVENTS = 64, MAX_DELAY_MS = 4, MAX_CHARS = 64 * 1024;
    let pending = []; // { threadId, delta } in arrival order
    const growing = new Map(); // stream id -> its last pending event, while it may grow
    let lastFlush = -Infinity, timer = null, queued = false;
    function flush() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
      queued = false;
      const events = pending;
      pending = [];
      growing.clear();
      if (events.length === 0) return;
      lastFlush = performance.now();
      const byStream = new Map();
      for (const e of events) {
        if (!byStream.has(e.threadId)) byStream.set(e.threadId, []);
        byStream.get(e.threadId).push({ kind: 'text.delta', threadId: e.threadId, delta: e.delta });
      }
      for (const [threadId, list] of byStream) {
        const batch = { type: 'batch', events: list };
        for (const port of listeners.get(threadId) ?? []) port.postMessage(batch);
      }
    }
    function push(threadId, delta) {
      const last = growing.get(threadId);
      if (last && last.delta.length + delta.length <= MAX_CHARS) { last.delta += delta; return; }
      const e = { threadId, delta };
      growing.set(threadId, e);
      pending.push(e);
      if (pending.length >= MAX_EVENTS) return flush();
      if (queued || timer !== null) return;
      const wait = lastFlush + MAX_DELAY_MS - performance.now();
      if (wait <= 0) { queued = true; queueMicrotask(flush); }
      else timer = setTimeout(flush, wait);
    }

    function open({ socketUrl, userText, threadId }) {
      const socket = new WebSocket(socketUrl);
      socket.onopen = () => socket.send(JSON.stringify({
        type: 'response.create', model: 'bench', store: false, tools: [],
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: userText }] }],
      }));
      socket.onmessage = (message) => {
        const event = JSON.parse(message.data);
        if (event.type === 'response.output_text.delta') {
          push(threadId, event.delta);
        } else if (event.type === 'response.completed' || event.type === 'error') {
          flush();
          listeners.delete(threadId);
          socket.close();
        }
      };
    }`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  // Started now (one port that listens, then leaves), so that its start-up is in no measured run.
  const port = new SharedWorker(url).port;
  await new Promise<void>((resolve) => {
    port.onmessage = () => resolve();
    port.postMessage({ type: 'listen', threadId: 'start' });
  });
  port.postMessage({ type: 'leave', threadId: 'start' });
  port.close();
  return url;
}

