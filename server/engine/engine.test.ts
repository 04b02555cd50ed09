import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from './engineServer.ts';
import { CONTROL_PREFIX } from './testControl.ts';
import { openTestSocket, parseSse, postJson, responseCreate, userInput, type TestSocket } from '../testing/testClients.ts';

let server: EngineServer;
let wsUrl: string;

beforeAll(async () => {
  server = await startEngineServer({ testHooks: true });
  wsUrl = `${server.url.replace('http:', 'ws:')}/v1/responses`;
});
afterAll(() => server.close());
beforeEach(async () => {
  await postJson(`${server.url}${CONTROL_PREFIX}/reset`, {});
});

const LIST_FILES_TOOL = { type: 'function', name: 'list_files', description: 'List files', parameters: { type: 'object' } };

function types(events: Record<string, unknown>[]): unknown[] {
  return events.map((event) => event.type);
}

interface CompletedResponse {
  id: string;
  status: string;
  output: Record<string, unknown>[];
  usage: { input_tokens: number; output_tokens: number; total_tokens: number };
}

function completedResponse(events: Record<string, unknown>[]): CompletedResponse {
  const last = events.at(-1);
  expect(last?.type).toBe('response.completed');
  return last?.response as CompletedResponse;
}

function turnState(events: Record<string, unknown>[]): unknown {
  const metadata = events.find((event) => event.type === 'response.metadata');
  return (metadata?.headers as Record<string, unknown> | undefined)?.['x-codex-turn-state'];
}

async function complete(socket: TestSocket, fields: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  socket.send(responseCreate(fields));
  return socket.untilTerminal();
}

describe('engine over WebSocket', () => {
  it('streams a text answer in protocol order, with several deltas and prefixed ids', async () => {
    const socket = await openTestSocket(wsUrl);
    const events = await complete(socket, { input: userInput('What is the capital of France?') });

    const deltas = events.filter((event) => event.type === 'response.output_text.delta');
    expect(deltas.length).toBeGreaterThan(2);
    expect(types(events)).toEqual([
      'response.created',
      'response.metadata',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...deltas.map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const text = deltas.map((event) => event.delta).join('');
    expect(events.find((event) => event.type === 'response.output_text.done')?.text).toBe(text);
    expect(text).toContain('What is the capital of France?');
    expect(text).toContain('OPENAI_API_KEY');

    const response = completedResponse(events);
    const createdId = (events[0]?.response as { id: string }).id;
    expect(response.id).toBe(createdId);
    expect(createdId).toMatch(/^resp_/);
    expect(events[1]?.response_id).toBe(createdId);
    expect(response.status).toBe('completed');
    expect(response.output).toHaveLength(1);
    expect(response.output[0]).toMatchObject({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
    expect(response.output[0]?.id).toMatch(/^msg_/);
    expect(response.usage.input_tokens).toBeGreaterThan(0);
    expect(response.usage.total_tokens).toBe(response.usage.input_tokens + response.usage.output_tokens);
    socket.ws.close();
  });

  it('advertises a new ts_<n> turn state in response.metadata on every response', async () => {
    const first = await openTestSocket(wsUrl);
    const second = await openTestSocket(wsUrl);
    const a = await complete(first, { input: userInput('one') });
    const b = await complete(first, { input: userInput('two'), previous_response_id: completedResponse(a).id });
    const c = await complete(second, { input: userInput('three') });
    const values = [turnState(a), turnState(b), turnState(c)];
    for (const value of values) expect(value).toMatch(/^ts_\d+$/);
    expect(new Set(values).size).toBe(3);
    first.ws.close();
    second.ws.close();
  });

  it('calls list_files, then reports the tool output of a chained request using the conversation so far', async () => {
    const socket = await openTestSocket(wsUrl);
    const call = await complete(socket, { input: userInput('list the files please'), tools: [LIST_FILES_TOOL] });
    expect(types(call)).toEqual([
      'response.created',
      'response.metadata',
      'response.in_progress',
      'response.output_item.added',
      ...call.filter((event) => event.type === 'response.function_call_arguments.delta').map((event) => event.type),
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const item = completedResponse(call).output[0] as { type: string; id: string; call_id: string; name: string; arguments: string };
    expect(item).toMatchObject({ type: 'function_call', name: 'list_files', arguments: '{"path":""}' });
    expect(item.id).toMatch(/^fc_/);
    expect(item.call_id).toMatch(/^call_/);

    // Only the tool output is sent: the engine must find the call's name in the chained conversation.
    const report = await complete(socket, {
      previous_response_id: completedResponse(call).id,
      input: [{ type: 'function_call_output', call_id: item.call_id, output: 'README.md\nsrc/' }],
      tools: [LIST_FILES_TOOL],
    });
    const text = (completedResponse(report).output[0] as { content: { text: string }[] }).content[0]?.text;
    expect(text).toContain('`list_files`');
    expect(text).toContain('README.md\nsrc/');
    socket.ws.close();
  });

  it('reports input_tokens of about a quarter of the conversation\'s characters, growing along a chain', async () => {
    const socket = await openTestSocket(wsUrl);
    const input = userInput('x'.repeat(4000));
    const first = completedResponse(await complete(socket, { input }));
    expect(first.usage.input_tokens).toBeGreaterThanOrEqual(1000);
    expect(first.usage.input_tokens).toBeLessThan(1100);
    const second = completedResponse(await complete(socket, { previous_response_id: first.id, input: userInput('and more') }));
    expect(second.usage.input_tokens).toBeGreaterThan(first.usage.input_tokens + first.usage.output_tokens);
    socket.ws.close();
  });

  it('makes one call per response when the request says parallel_tool_calls:false', async () => {
    const socket = await openTestSocket(wsUrl);
    const READ_FILE_TOOL = { ...LIST_FILES_TOOL, name: 'read_file' };
    const tools = [LIST_FILES_TOOL, READ_FILE_TOOL];
    const ask = userInput('read a.txt and read b.txt');
    const calls = (events: Record<string, unknown>[]) => completedResponse(events).output.filter((item) => item.type === 'function_call');
    expect(calls(await complete(socket, { input: ask, tools }))).toHaveLength(2);
    const one = await complete(socket, { input: ask, tools, parallel_tool_calls: false });
    expect(calls(one)).toMatchObject([{ name: 'read_file', arguments: '{"path":"a.txt"}' }]);
    expect(await complete(socket, { input: ask, parallel_tool_calls: 'no' })).toMatchObject([{ type: 'error', error: { param: 'parallel_tool_calls' } }]);
    socket.ws.close();
  });

  it('answers previous_response_not_found for an unknown id, for another socket\'s response, and after a failed continuation', async () => {
    const owner = await openTestSocket(wsUrl);
    const other = await openTestSocket(wsUrl);
    const id = completedResponse(await complete(owner, { input: userInput('hi') })).id;

    const notFound = {
      type: 'error',
      status: 400,
      error: { type: 'invalid_request_error', code: 'previous_response_not_found', param: 'previous_response_id' },
    };
    expect(await complete(other, { previous_response_id: id, input: userInput('x') })).toMatchObject([notFound]);
    expect(await complete(owner, { previous_response_id: 'resp_unknown', input: userInput('x') })).toMatchObject([notFound]);
    // The failed continuation evicted the socket's cached response.
    expect(await complete(owner, { previous_response_id: id, input: userInput('x') })).toMatchObject([notFound]);
    owner.ws.close();
    other.ws.close();
  });

  it('rejects a second response.create while one is in flight', async () => {
    await postJson(`${server.url}${CONTROL_PREFIX}/script`, { responses: [{ text: 'held answer', hold: true }] });
    const socket = await openTestSocket(wsUrl);
    socket.send(responseCreate({ input: userInput('first') }));
    const rejected = await complete(socket, { input: userInput('second') });
    expect(rejected).toMatchObject([{ type: 'error', status: 400, error: { code: 'response_already_in_flight' } }]);

    await postJson(`${server.url}${CONTROL_PREFIX}/release`, {});
    const first = await socket.untilTerminal();
    expect((completedResponse(first).output[0] as { content: { text: string }[] }).content[0]?.text).toBe('held answer');
    socket.ws.close();
  });

  it('answers a generate:false warmup with no output and a chainable id, without consuming a scripted plan', async () => {
    await postJson(`${server.url}${CONTROL_PREFIX}/script`, { responses: [{ text: 'scripted after warmup' }] });
    const socket = await openTestSocket(wsUrl);
    const warmup = await complete(socket, { generate: false, input: userInput('system prompt') });
    expect(types(warmup)).toEqual(['response.created', 'response.metadata', 'response.completed']);
    expect(completedResponse(warmup).output).toEqual([]);
    expect(turnState(warmup)).toMatch(/^ts_\d+$/);

    const turn = await complete(socket, { previous_response_id: completedResponse(warmup).id, input: userInput('go') });
    expect((completedResponse(turn).output[0] as { content: { text: string }[] }).content[0]?.text).toBe('scripted after warmup');
    socket.ws.close();
  });

  it('answers a binary frame and malformed JSON with invalid_request_error and keeps the socket', async () => {
    const socket = await openTestSocket(wsUrl);
    socket.ws.send(Buffer.from(JSON.stringify(responseCreate({ input: userInput('binary') }))), { binary: true });
    expect((await socket.next()).json).toMatchObject({ type: 'error', status: 400, error: { type: 'invalid_request_error' } });
    socket.send('{"type": "response.create",');
    expect((await socket.next()).json).toMatchObject({ type: 'error', status: 400, error: { type: 'invalid_request_error' } });

    expect(completedResponse(await complete(socket, { input: userInput('still here?') })).status).toBe('completed');
    socket.ws.close();
  });

  it('sends websocket_connection_limit_reached to an idle socket at its age limit and closes it', async () => {
    const shortLived = await startEngineServer({ maxConnectionMs: 40 });
    try {
      const socket = await openTestSocket(`${shortLived.url.replace('http:', 'ws:')}/v1/responses`);
      const opened = performance.now();
      expect((await socket.next()).json).toMatchObject({ type: 'error', error: { code: 'websocket_connection_limit_reached' } });
      expect(performance.now() - opened).toBeGreaterThanOrEqual(30);
      expect((await socket.closed).code).toBe(1000);
    } finally {
      await shortLived.close();
    }
  });
});

describe('engine over HTTP', () => {
  it('streams server-sent events with the turn state in a response header and no metadata event', async () => {
    const res = await postJson(`${server.url}/v1/responses`, { model: 'm', input: userInput('hello over http') }, { accept: 'text/event-stream' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
    const events = parseSse(await res.text());
    for (const { event, data } of events) expect(event).toBe(data.type);
    const dataEvents = events.map(({ data }) => data);
    expect(types(dataEvents).slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types(dataEvents)).not.toContain('response.metadata');
    expect(completedResponse(dataEvents).status).toBe('completed');
  });

  it('refuses previous_response_id over HTTP, where nothing is cached', async () => {
    const res = await postJson(`${server.url}/v1/responses`, { model: 'm', input: [], previous_response_id: 'resp_x' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'previous_response_not_found', param: 'previous_response_id' } });
  });

  it('compacts a conversation into one summarising user message, with a turn-state header', async () => {
    const res = await postJson(`${server.url}/v1/responses/compact`, {
      model: 'm',
      input: [...userInput('refactor the parser'), { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'done' }] }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-codex-turn-state')).toMatch(/^ts_\d+$/);
    const { output } = (await res.json()) as { output: { type: string; role: string; content: { text: string }[] }[] };
    expect(output).toHaveLength(1);
    expect(output[0]).toMatchObject({ type: 'message', role: 'user' });
    expect(output[0]?.content[0]?.text).toContain('refactor the parser');
  });

  it('answers a body that is not JSON with 400 and a non-POST with 405', async () => {
    const bad = await fetch(`${server.url}/v1/responses`, { method: 'POST', body: '{oops' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect((await fetch(`${server.url}/v1/responses/compact`)).status).toBe(405);
  });
});

describe('engine without test hooks', () => {
  it('has no control routes', async () => {
    const plain = await startEngineServer();
    try {
      expect((await fetch(`${plain.url}${CONTROL_PREFIX}/log`)).status).toBe(404);
      expect((await postJson(`${plain.url}${CONTROL_PREFIX}/script`, { responses: [{ text: 'x' }] })).status).toBe(404);
    } finally {
      await plain.close();
    }
  });
});
