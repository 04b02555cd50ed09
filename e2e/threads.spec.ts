// Thread actions: rename, delete, export (JSON and Markdown, checked through the real download)
// and import (into a fresh browser, and a bad file that is refused and changes nothing).
import { readFile } from 'node:fs/promises';
import type { Download, Page } from '@playwright/test';
import { expect, lastTurn, openNewThread, send, startTurn, test } from './fixtures.ts';

const threadLinks = (page: Page) => page.getByRole('navigation', { name: 'Threads' }).getByRole('link');
const transcript = (page: Page) => page.getByRole('log', { name: 'Transcript' });

async function rename(page: Page, title: string): Promise<void> {
  await page.getByRole('button', { name: 'Rename' }).click();
  const input = page.getByRole('textbox', { name: 'Thread title' });
  await input.fill(title);
  await input.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
}

/** Chooses a format in a menu button and returns the download it starts. */
async function exportVia(page: Page, menu: 'Export thread' | 'Export all', format: 'JSON' | 'Markdown'): Promise<Download> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: menu }).click();
  await page.getByRole('menuitem', { name: format }).click();
  return download;
}

async function downloadedText(download: Download): Promise<string> {
  return readFile(await download.path(), 'utf8');
}

/** A thread with one answered turn, renamed to `title`. */
async function threadWithATurn(page: Page, title: string, question: string): Promise<void> {
  await openNewThread(page);
  await send(page, question);
  await expect(lastTurn(page)).toContainText(/offline engine/i);
  await rename(page, title);
}

test('a tab showing another thread hears of a turn’s title at once, and shows every turn run meanwhile when it goes back', async ({ context, upstream }) => {
  // The broker announces a thread's saved turns and items only to the tabs showing it; a tab that
  // showed it earlier must not keep what it read then.
  const pageA = await context.newPage();
  const pageB = await context.newPage();
  await openNewThread(pageA);
  await upstream.script({ text: 'answer one' });
  await send(pageA, 'first question');
  await pageB.goto(pageA.url());
  await expect(lastTurn(pageB)).toContainText('answer one');
  await pageB.getByRole('button', { name: 'New thread' }).click();
  await expect(transcript(pageB).getByRole('article')).toHaveCount(0);

  await upstream.script({ text: 'answer two' }, { text: 'answer three', hold: true });
  await send(pageA, 'second question');
  await startTurn(pageA, 'third question');
  await expect(threadLinks(pageB).first()).toHaveAccessibleName('first question'); // the list moved it to the top

  await threadLinks(pageB).filter({ hasText: 'first question' }).click();
  const turns = transcript(pageB).getByRole('article');
  await expect(turns).toHaveCount(3);
  await expect(turns.nth(1)).toContainText('answer two');
  await expect(turns.nth(2)).toContainText('third question');
  await upstream.release();
  await expect(turns.nth(2)).toContainText('answer three');
  await expect(transcript(pageB)).toHaveAttribute('aria-busy', 'false');
});

test('rename: the new title shows in the header and the thread list, and survives a reload', async ({ page }) => {
  await threadWithATurn(page, 'Renamed thread', 'hello, who are you?');
  await expect(threadLinks(page).filter({ hasText: 'Renamed thread' })).toHaveCount(1);
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Renamed thread');
  await expect(page).toHaveTitle('Renamed thread — Switchboard');
  // Escape cancels an edit.
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('textbox', { name: 'Thread title' }).fill('Not this');
  await page.getByRole('textbox', { name: 'Thread title' }).press('Escape');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Renamed thread');
});

test('delete: asks first; Cancel keeps the thread, Delete removes it for good', async ({ page }) => {
  await threadWithATurn(page, 'Keep me', 'hello, who are you?');
  await threadWithATurn(page, 'Delete me', 'hello again');
  const doomedUrl = page.url();

  await page.getByRole('button', { name: 'Delete thread' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete thread?' });
  await expect(dialog).toContainText('“Delete me” and its turn will be deleted');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(threadLinks(page).filter({ hasText: 'Delete me' })).toHaveCount(1);

  await page.getByRole('button', { name: 'Delete thread' }).click();
  await page.getByRole('dialog', { name: 'Delete thread?' }).getByRole('button', { name: 'Delete' }).click();
  await expect(threadLinks(page).filter({ hasText: 'Delete me' })).toHaveCount(0);
  // The app moves on to the remaining thread.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Keep me');
  await page.reload();
  await expect(threadLinks(page).filter({ hasText: 'Delete me' })).toHaveCount(0);
  await expect(threadLinks(page).filter({ hasText: 'Keep me' })).toHaveCount(1);
  await page.goto(doomedUrl);
  await expect(transcript(page)).toContainText('This thread does not exist in this browser.');
});

test('export JSON and Markdown, import the JSON into a fresh browser: the thread comes back with its turns', async ({ page, browser }) => {
  await threadWithATurn(page, 'Exported thread', 'hello, who are you?');
  await send(page, 'please list the files');
  await expect(lastTurn(page)).toContainText('README.md');

  // JSON: the versioned format with both turns and their items.
  const json = await exportVia(page, 'Export thread', 'JSON');
  expect(json.suggestedFilename()).toMatch(/^switchboard-exported-thread-\d{4}-\d{2}-\d{2}\.json$/);
  const jsonText = await downloadedText(json);
  const archive = JSON.parse(jsonText);
  expect(archive).toMatchObject({ format: 'switchboard.threads', version: 1 });
  expect(archive.threads).toHaveLength(1);
  const [thread] = archive.threads;
  expect(thread.title).toBe('Exported thread');
  expect(thread.id).toBe(decodeURIComponent(page.url().split('/t/')[1]!));
  expect(thread.turns.map((t: { userText: string; status: string }) => [t.userText, t.status])).toEqual([
    ['hello, who are you?', 'completed'],
    ['please list the files', 'completed'],
  ]);
  const secondTypes = thread.turns[1].items.map((i: { type: string }) => i.type);
  expect(secondTypes).toContain('function_call');
  expect(secondTypes).toContain('function_call_output');
  expect(JSON.stringify(thread.turns[0].items)).toMatch(/offline engine/i);

  // Markdown: for people.
  const md = await exportVia(page, 'Export thread', 'Markdown');
  expect(md.suggestedFilename()).toMatch(/\.md$/);
  const mdText = await downloadedText(md);
  expect(mdText).toMatch(/^# Exported thread\n/);
  expect(mdText).toContain('## Turn 1');
  expect(mdText).toContain('> hello, who are you?');
  expect(mdText).toContain('**Tool call** `list_files`');
  expect(mdText).toContain('README.md');

  // "Export all" covers every thread of this browser.
  const all = JSON.parse(await downloadedText(await exportVia(page, 'Export all', 'JSON')));
  expect(all.threads.map((t: { title: string }) => t.title)).toContain('Exported thread');

  // A fresh browser (its own IndexedDB and broker) imports the file.
  const fresh = await browser.newContext({ baseURL: test.info().project.use.baseURL! });
  try {
    const other = await fresh.newPage();
    await other.goto('/');
    await expect(threadLinks(other)).toHaveCount(0);
    await other.getByLabel('Import threads').setInputFiles({ name: 'threads.json', mimeType: 'application/json', buffer: Buffer.from(jsonText) });
    await expect(other.getByRole('status').filter({ hasText: 'Imported 1 thread.' })).toBeVisible();
    await expect(threadLinks(other).filter({ hasText: 'Exported thread' })).toHaveCount(1);
    await expect(other.getByRole('heading', { level: 1 })).toHaveText('Exported thread');
    await expect(other).toHaveURL(new RegExp(`/t/${thread.id}$`)); // the id was free: kept
    const turns = transcript(other).getByRole('article');
    await expect(turns).toHaveCount(2);
    await expect(turns.nth(0)).toContainText('hello, who are you?');
    await expect(turns.nth(0)).toContainText(/offline engine/i);
    await expect(turns.nth(1)).toContainText('list_files');
    await expect(turns.nth(1)).toContainText('README.md');
    // The imported history is a real thread: the conversation goes on.
    await send(other, 'hello once more');
    await expect(turns).toHaveCount(3);
    await expect(lastTurn(other)).toContainText(/offline engine/i);
  } finally {
    await fresh.close();
  }

  // Importing into the browser that already has the thread makes a copy under a new id.
  await page.getByLabel('Import threads').setInputFiles({ name: 'threads.json', mimeType: 'application/json', buffer: Buffer.from(jsonText) });
  await expect(page.getByRole('status').filter({ hasText: 'imported as a copy' })).toBeVisible();
  await expect(threadLinks(page).filter({ hasText: 'Exported thread' })).toHaveCount(2);
  await expect(page).not.toHaveURL(new RegExp(`/t/${thread.id}$`));
  await expect(transcript(page).getByRole('article')).toHaveCount(2);
});

test('a bad import is refused with a clear message and changes nothing', async ({ page }) => {
  await threadWithATurn(page, 'Untouched', 'hello, who are you?');
  const url = page.url();
  const before = await threadLinks(page).count();
  const input = page.getByLabel('Import threads');
  const alert = page.getByRole('alert').filter({ hasText: 'Import refused' });

  await input.setInputFiles({ name: 'garbage.json', mimeType: 'application/json', buffer: Buffer.from('{"format": "switchboard.threads", "version": 1, "threads": [') });
  await expect(alert).toContainText('This file is not valid JSON');
  await expect(alert).toContainText('Nothing was changed.');

  await input.setInputFiles({ name: 'future.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ format: 'switchboard.threads', version: 2, exportedAt: '2030-01-01T00:00:00Z', threads: [] })) });
  await expect(alert).toContainText('format version 2');

  const broken = {
    format: 'switchboard.threads',
    version: 1,
    exportedAt: '2025-01-01T00:00:00Z',
    threads: [
      { id: 'good-one', title: 'Would be imported', createdAt: 1, updatedAt: 2, turns: [] },
      { id: 'bad-one', title: 'Broken', createdAt: 1, updatedAt: 2, turns: [{ id: 't', userText: 'q', status: 'completed', startedAt: 1, items: [{ type: 'message', role: 'robot', content: [] }] }] },
    ],
  };
  await input.setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
  await expect(alert).toContainText('threads[1].turns[0].items[0].role must be one of');

  // Nothing changed: the same threads (the valid first thread of the broken file was not written).
  const unchanged = async () => {
    await expect(threadLinks(page)).toHaveCount(before);
    await expect(page.getByRole('link', { name: 'Untouched', exact: true })).toHaveCount(1);
    await expect(page.getByRole('link', { name: 'Would be imported' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Broken' })).toHaveCount(0);
  };
  await expect(page).toHaveURL(url);
  await unchanged();
  await page.reload();
  await unchanged();
  await expect(lastTurn(page)).toContainText(/offline engine/i);
});
