// Shared e2e fixtures: a client for the scripted upstream's control API, and the few UI steps
// every scenario takes, written against the app's accessible roles and labels.
import { expect, test as base, type Page } from '@playwright/test';
import type { ApprovalPolicy } from '../src/core/threadStore.ts';
import { CONTROL_PREFIX, type EngineLog, type ScriptedCompaction, type ScriptedResponse } from '../server/engine/testControl.ts';

const UPSTREAM = 'http://127.0.0.1:4311';

export interface Upstream {
  script(...responses: ScriptedResponse[]): Promise<void>;
  /** Queues answers for `POST /v1/responses/compact`. */
  scriptCompact(...compactions: ScriptedCompaction[]): Promise<void>;
  refuse(status: number, times: number, message?: string): Promise<void>;
  errorFrame(code: string, message: string): Promise<void>;
  dropSockets(): Promise<void>;
  /** Lets the held responses go; waits until at least one was held. */
  release(): Promise<void>;
  log(): Promise<EngineLog>;
  /** Stops the upstream for real (connections refused) for `ms`, and returns at once. */
  offline(ms: number): Promise<void>;
  /** Resolves once the upstream answers again. */
  waitUntilUp(): Promise<void>;
  /** `response.create` frames that were real requests (not warmups), in arrival order. */
  requests(): Promise<Record<string, any>[]>;
}

async function control(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${UPSTREAM}${CONTROL_PREFIX}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return response.headers.get('content-type')?.includes('json') ? response.json() : undefined;
}

function createUpstream(): Upstream {
  const upstream: Upstream = {
    script: async (...responses) => void (await control('/script', { responses })),
    scriptCompact: async (...compactions) => void (await control('/script-compact', { compactions })),
    refuse: async (status, times, message) => void (await control('/refuse', { status, times, ...(message ? { message } : {}) })),
    errorFrame: async (code, message) => void (await control('/error-frame', { code, message })),
    dropSockets: async () => void (await control('/drop-sockets', {})),
    // A held response waits for the NEXT release: one asked for before its request reached the
    // engine releases nothing, and the response then holds forever (a CI run lost a turn so).
    // So this asks again until the engine says it let something go.
    async release() {
      const released = async () => ((await control('/release', {})) as { released: number }).released;
      await expect.poll(released, { timeout: 10_000 }).toBeGreaterThan(0);
    },
    log: async () => (await control('/log')) as EngineLog,
    offline: async (ms) => void (await control('/offline', { ms })),
    async waitUntilUp() {
      await expect.poll(() => control('/log').then(() => true, () => false), { timeout: 20_000 }).toBe(true);
    },
    async requests() {
      const log = await upstream.log();
      return log.frames.map((f) => f.frame).filter((f) => f.type === 'response.create' && f.generate !== false);
    },
  };
  return upstream;
}

export const test = base.extend<{ upstream: Upstream }>({
  upstream: async ({}, use) => {
    await control('/reset', {});
    await use(createUpstream());
  },
});

export { expect };

export const turnState = (frame: Record<string, any>): string | undefined => frame.client_metadata?.['x-codex-turn-state'];

/** The inspector, opened if it is collapsed (it starts collapsed below 1880 px, as here). */
export async function showInspector(page: Page) {
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  const toggle = inspector.getByRole('button', { name: /^(Show|Hide)$/ });
  if ((await toggle.getAttribute('aria-expanded')) === 'false') await toggle.click();
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return inspector;
}

/** Opens the app, starts a new thread and waits until the broker is connected to the page. */
export async function openNewThread(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'New thread' }).click();
  await expect(page).toHaveURL(/\/t\/[\w-]+$/);
  // The thread shown before (the app opens the last one at '/') may still be on screen for a
  // moment: a turn count taken then would be that thread's.
  await expect(page.getByRole('log', { name: 'Transcript' }).getByRole('article')).toHaveCount(0);
}

/** Sends a message through the composer and waits for its turn to finish. */
export async function send(page: Page, text: string): Promise<void> {
  const transcript = page.getByRole('log', { name: 'Transcript' });
  const turns = transcript.getByRole('article');
  const before = await turns.count();
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(turns).toHaveCount(before + 1);
  await expect(turns.nth(before)).toContainText(text);
  await expect(transcript).toHaveAttribute('aria-busy', 'false');
}

/** Sends a message and returns once its turn shows, without waiting for it to end. */
export async function startTurn(page: Page, text: string): Promise<void> {
  const turns = page.getByRole('log', { name: 'Transcript' }).getByRole('article');
  const before = await turns.count();
  await page.getByRole('textbox', { name: 'Message' }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(turns).toHaveCount(before + 1);
}

/** How many times `text` appears in the transcript: exactly once means nothing was lost or duplicated. */
export async function countInTranscript(page: Page, text: string): Promise<number> {
  const all = await page.getByRole('log', { name: 'Transcript' }).innerText();
  return all.split(text).length - 1;
}

export function lastTurn(page: Page) {
  return page.getByRole('log', { name: 'Transcript' }).getByRole('article').last();
}

/** Sets the open thread's approval policy through the header's selector. */
export async function setPolicy(page: Page, policy: ApprovalPolicy): Promise<void> {
  await page.getByRole('combobox', { name: 'Approval policy' }).selectOption(policy);
  await expect(page.getByRole('combobox', { name: 'Approval policy' })).toHaveValue(policy);
}

/** Every file of the default OPFS workspace, read straight from the browser's storage. */
export async function workspaceFiles(page: Page): Promise<Record<string, string>> {
  return page.evaluate(async () => {
    const files: Record<string, string> = {};
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
      for await (const [name, handle] of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) {
        const path = prefix ? `${prefix}/${name}` : name;
        if (handle.kind === 'file') files[path] = await (await (handle as FileSystemFileHandle).getFile()).text();
        else await walk(handle as FileSystemDirectoryHandle, path);
      }
    };
    const root = await (await (await navigator.storage.getDirectory()).getDirectoryHandle('workspaces')).getDirectoryHandle('default');
    await walk(root, '');
    return files;
  });
}

/** The approval card of the open thread's running turn. */
export function approvalCard(page: Page) {
  return page.getByRole('log', { name: 'Transcript' }).getByRole('group', { name: /^Approval needed: / });
}

/** The `function_call_output` texts a request carried, in order. */
export const toolOutputs = (request: Record<string, any>): string[] =>
  (request.input as { type: string; output?: string }[]).filter((i) => i.type === 'function_call_output').map((i) => i.output ?? '');
