// User settings: saved in IndexedDB, applied live by the broker. A pool of one socket makes a
// second tab's turn wait in the broker's queue instead of opening another socket.
import type { Page } from '@playwright/test';
import { SETTINGS_MESSAGES } from '../src/app/settingsForm.ts';
import { expect, lastTurn, openNewThread, showInspector, test } from './fixtures.ts';

async function openSettings(page: Page) {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  await expect(dialog).toBeVisible();
  const pool = dialog.getByRole('spinbutton', { name: 'Pool size (sockets)' });
  const idle = dialog.getByRole('spinbutton', { name: 'Close idle sockets after (seconds)' });
  // Prefilled from the broker's reply (the settings in force).
  await expect(pool).toBeEnabled();
  await expect(pool).not.toHaveValue('');
  await expect(idle).not.toHaveValue('');
  await expect(pool).toBeFocused();
  return { dialog, pool, idle };
}

test('settings: a pool of 1 is validated, saved, persists a reload and queues a second turn', async ({ page, context, upstream }) => {
  await openNewThread(page);
  const settingsButton = page.getByRole('button', { name: 'Settings' });

  let { dialog, pool, idle } = await openSettings(page);
  // Out of range: an inline message on the field, focus on it, nothing saved.
  await pool.fill('0');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toContainText(SETTINGS_MESSAGES.maxSockets);
  await expect(pool).toHaveAttribute('aria-invalid', 'true');
  await expect(pool).toBeFocused();
  await expect(pool).toHaveAccessibleDescription(new RegExp(SETTINGS_MESSAGES.maxSockets.replace(/[.]/g, '\\.')));
  await idle.fill('5');
  await pool.fill('1');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toContainText(SETTINGS_MESSAGES.idleSeconds);
  await expect(idle).toBeFocused();
  await expect(dialog.getByRole('status')).toHaveCount(0);
  await idle.fill('300');
  await idle.press('Enter'); // the keyboard saves too
  await expect(dialog.getByRole('status')).toContainText(/In force now: pool size 1 socket, idle sockets closed after 300 s/);
  await expect(pool).toHaveValue('1');
  // Escape closes; focus returns to the button.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(settingsButton).toBeFocused();

  await page.reload();
  ({ dialog, pool } = await openSettings(page));
  await expect(pool).toHaveValue('1');
  // Cancel drops an edit.
  await pool.fill('3');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(settingsButton).toBeFocused();
  ({ dialog, pool } = await openSettings(page));
  await expect(pool).toHaveValue('1');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Two tabs on two threads, both answers held at the upstream.
  const second = await context.newPage();
  await openNewThread(second);
  await upstream.script({ onlyFor: 'pool of one A', text: 'Answer A.', hold: true }, { onlyFor: 'pool of one B', text: 'Answer B.', hold: true });
  for (const [tab, text] of [
    [page, 'pool of one A'],
    [second, 'pool of one B'],
  ] as const) {
    await tab.getByRole('textbox', { name: 'Message' }).fill(text);
    await tab.getByRole('button', { name: 'Send' }).click();
  }
  const mine = async () => (await upstream.requests()).filter((r) => JSON.stringify(r.input).includes('pool of one '));
  await expect.poll(async () => (await mine()).length).toBe(1);
  const inspector = await showInspector(page);
  await expect(inspector).toContainText(/queued\s*1/i);
  await expect(inspector.getByRole('table', { name: 'Sockets' }).getByRole('row')).toHaveCount(2); // header + the one socket
  // The second turn keeps waiting while the first holds the only socket.
  await page.waitForTimeout(1_000);
  expect(await mine()).toHaveLength(1);
  await expect(inspector).toContainText(/queued\s*1/i);

  await upstream.release();
  await expect.poll(async () => (await mine()).length).toBe(2);
  await upstream.release();
  await expect(lastTurn(page)).toContainText('Answer A.');
  await expect(lastTurn(second)).toContainText('Answer B.');
  await expect(inspector).toContainText(/queued\s*0/i);
  // Both requests went over the same, only socket.
  const sockets = (await upstream.log()).frames.filter((f) => JSON.stringify(f.frame.input).includes('pool of one ')).map((f) => f.socket);
  expect(sockets).toHaveLength(2);
  expect(new Set(sockets).size).toBe(1);
});

test('the inspector starts collapsed beside a laptop-wide transcript, and opening it is remembered', async ({ page }) => {
  await openNewThread(page); // the default viewport: 1280 px
  const inspector = page.getByRole('complementary', { name: 'Inspector' });
  await expect(inspector.getByRole('button', { name: 'Show' })).toHaveAttribute('aria-expanded', 'false');
  await expect(inspector.getByRole('table', { name: 'Sockets' })).toBeHidden();
  await inspector.getByRole('button', { name: 'Show' }).click();
  await expect(inspector.getByRole('table', { name: 'Sockets' })).toBeVisible();
  await page.reload();
  await expect(inspector.getByRole('button', { name: 'Hide' })).toHaveAttribute('aria-expanded', 'true');
  await inspector.getByRole('button', { name: 'Hide' }).click();
  await page.reload();
  await expect(inspector.getByRole('button', { name: 'Show' })).toHaveAttribute('aria-expanded', 'false');
});
