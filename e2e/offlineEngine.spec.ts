// The first-run experience: the offline agent answers, its list_files call runs in the browser as
// a follow-up of the same turn, and the inspector shows the turn's cell live, then released.
import { expect, lastTurn, openNewThread, send, showInspector, test, turnState } from './fixtures.ts';

test('the offline engine answers, and "list the files" runs list_files as a follow-up of the same turn', async ({ page, upstream }) => {
  await openNewThread(page);
  await send(page, 'hello, who are you?');
  await expect(lastTurn(page)).toContainText(/offline engine/i);
  await expect(lastTurn(page)).toContainText('OPENAI_API_KEY');
  await send(page, 'please list the files');
  const turn = lastTurn(page);
  await expect(turn).toContainText('list_files');
  await expect(turn).toContainText('README.md');
  await expect(turn).toContainText('src/hello.js');
  const requests = await upstream.requests();
  const [first, followUp] = requests.slice(-2);
  expect(followUp!.client_metadata.turn_id).toBe(first!.client_metadata.turn_id);
  expect(followUp!.input.map((i: { type: string }) => i.type)).toEqual(['function_call_output']);
  // The prewarm's value seeded the thread's first turn only; this second turn starts empty and
  // its follow-up replays what its own first response returned.
  expect(turnState(first!)).toBeUndefined();
  expect(turnState(followUp!)).toMatch(/\S/);
});

test('the inspector shows the turn’s cell filled while the turn runs, and gone when it ends', async ({ page, upstream }) => {
  await upstream.script({ warmup: true, turnState: null }, { toolCalls: [{ name: 'list_files', arguments: {} }], turnState: 'cell-value-1' }, { text: 'All listed.', hold: true });
  await openNewThread(page);
  await page.getByRole('textbox', { name: 'Message' }).fill('list the files');
  await page.getByRole('button', { name: 'Send' }).click();
  const cells = (await showInspector(page)).getByRole('table', { name: 'Turn-state cells' });
  await expect(cells).toContainText('cell-value-1');
  await expect(page.getByRole('log', { name: 'Transcript' })).toHaveAttribute('aria-busy', 'true');
  await expect(page.getByRole('button', { name: 'Stop' })).toBeVisible();
  await upstream.release();
  await expect(lastTurn(page)).toContainText('All listed.');
  await expect(cells).toContainText('No live cells');
  await expect(page.getByRole('log', { name: 'Transcript' })).toHaveAttribute('aria-busy', 'false');
  await expect(page.getByRole('button', { name: 'Stop' })).toHaveCount(0);
});
