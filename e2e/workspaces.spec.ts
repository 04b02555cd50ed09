// Workspaces as the user sees them: the Files panel creates, imports into, downloads, renames and
// deletes OPFS workspaces, binds the open thread to one, and the broker's tools then run on it.
// A "local" folder is reached through a directory handle saved in the registry; a headless
// browser cannot drive showDirectoryPicker, so an OPFS directory handle (the same handle API)
// stands in for the folder the user would pick.
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from '@playwright/test';
import { expect, lastTurn, openNewThread, send, test } from './fixtures.ts';

function filesPanel(page: Page) {
  const panel = page.getByRole('complementary', { name: 'Files' });
  return {
    panel,
    select: panel.getByRole('combobox', { name: 'Workspace' }),
    tree: panel.getByRole('tree', { name: 'Workspace files' }),
    viewer: panel.getByRole('region', { name: 'File viewer' }),
    async open() {
      const show = panel.getByRole('button', { name: 'Show files' });
      if (await show.isVisible()) await show.click();
      await expect(panel.getByRole('button', { name: 'Hide files' })).toBeVisible();
    },
  };
}

/** Registers an OPFS folder as a "local" workspace, as "Open folder…" would with a picked one. */
async function registerHandleWorkspace(page: Page, id: string, folder: string, files: Record<string, string>) {
  await page.evaluate(
    async ({ id, folder, files }) => {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(folder, { create: true });
      for (const [name, text] of Object.entries(files)) {
        const writable = await (await dir.getFileHandle(name, { create: true })).createWritable();
        await writable.write(text);
        await writable.close();
      }
      await new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('switchboard');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('workspaces', 'readwrite');
          tx.objectStore('workspaces').put({ id, name: folder, kind: 'local', createdAt: Date.now(), handle: dir });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      });
    },
    { id, folder, files },
  );
}

test('a new workspace: import files and a folder, the agent works in it, download it as a zip, delete it', async ({ page }) => {
  await openNewThread(page);
  const files = filesPanel(page);
  await files.open();
  await expect(files.select).toHaveValue('default');
  await expect(files.tree.getByRole('treeitem', { name: 'README.md' })).toBeVisible();

  await files.panel.getByRole('button', { name: 'New workspace' }).click();
  const dialog = page.getByRole('dialog', { name: 'New workspace' });
  await dialog.getByRole('textbox', { name: 'Workspace name' }).fill('Project A');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await expect(files.panel.getByRole('status')).toContainText('this thread now works in it');
  await expect(files.select.locator('option:checked')).toHaveText('Project A');
  await expect(files.panel).toContainText('This workspace is empty');

  const dir = mkdtempSync(join(tmpdir(), 'switchboard-import-'));
  mkdirSync(join(dir, 'proj', 'src'), { recursive: true });
  writeFileSync(join(dir, 'proj', 'README.md'), '# Proj\n');
  writeFileSync(join(dir, 'proj', 'src', 'x.js'), 'export const x = 1;\nexport const y = 2;\n');
  await files.panel.getByLabel('Files to import').setInputFiles([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('alpha\nbeta\n') }]);
  await expect(files.panel.getByRole('status')).toContainText('Imported 1 file');
  await files.panel.getByLabel('Folder to import').setInputFiles(join(dir, 'proj'));
  await expect(files.panel.getByRole('status')).toContainText('Imported 2 files');

  // The tree with the keyboard: proj → Right opens it → Down to src → Right → Down → Enter opens x.js.
  await files.tree.getByRole('treeitem', { name: 'proj' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(files.tree.getByRole('treeitem', { name: 'proj' })).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('ArrowDown');
  await expect(files.tree.getByRole('treeitem', { name: 'src' })).toBeFocused();
  await page.keyboard.press('ArrowRight');
  // A folder's children load when it opens: wait for them before moving down into them.
  await expect(files.tree.getByRole('treeitem', { name: 'x.js' })).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(files.tree.getByRole('treeitem', { name: 'x.js' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(files.viewer).toContainText('export const y = 2;');
  await expect(files.tree.getByRole('treeitem', { name: 'x.js' })).toHaveAttribute('aria-selected', 'true');

  // The broker resolves the thread's workspace: its tools list Project A, not the default.
  await send(page, 'list the files');
  await expect(lastTurn(page)).toContainText('proj/src/x.js');
  await expect(lastTurn(page)).toContainText('notes.txt');
  await expect(lastTurn(page)).not.toContainText('hello.js');

  const [download] = await Promise.all([page.waitForEvent('download'), files.panel.getByRole('button', { name: 'Download zip' }).click()]);
  expect(download.suggestedFilename()).toBe('Project A.zip');
  const zip = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
  expect(Object.keys(zip).sort()).toEqual(['notes.txt', 'proj/README.md', 'proj/src/x.js']);
  expect(strFromU8(zip['proj/src/x.js']!)).toBe('export const x = 1;\nexport const y = 2;\n');

  await files.panel.getByRole('button', { name: 'Rename workspace' }).click();
  const rename = page.getByRole('dialog', { name: 'Rename workspace' });
  await rename.getByRole('textbox', { name: 'Workspace name' }).fill('Project B');
  await rename.getByRole('button', { name: 'Rename' }).click();
  await expect(files.select.locator('option:checked')).toHaveText('Project B');

  await files.panel.getByRole('button', { name: 'Delete workspace' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete workspace?' });
  await expect(confirm).toContainText('One thread uses it and will work in “Default” instead.');
  await confirm.getByRole('button', { name: 'Delete' }).click();
  await expect(files.select).toHaveValue('default');
  await expect(files.panel.getByRole('button', { name: 'Delete workspace' })).toBeDisabled();
  await send(page, 'list the files');
  await expect(lastTurn(page)).toContainText('src/hello.js');
});

test('a folder reached through a saved handle: the agent works in it; lapsed access shows Grant access', async ({ page }) => {
  // Access to the folder named "lapsed" is "prompt" in the page until Grant access is pressed.
  await page.addInitScript(() => {
    let state: PermissionState = 'prompt';
    const proto = FileSystemHandle.prototype as unknown as Record<string, (this: FileSystemHandle, d?: unknown) => Promise<PermissionState>>;
    const query = proto.queryPermission!;
    proto.queryPermission = async function (d) {
      return this.name === 'lapsed' ? state : query.call(this, d);
    };
    proto.requestPermission = async function () {
      state = 'granted';
      return state;
    };
  });
  await openNewThread(page);
  await registerHandleWorkspace(page, 'local-1', 'my-project', { 'index.js': 'console.log("disk")\n' });
  await registerHandleWorkspace(page, 'local-2', 'lapsed', { 'secret.txt': 'x\n' });
  await page.reload();
  const files = filesPanel(page);
  await files.open();

  await files.select.selectOption({ label: 'my-project' });
  await expect(files.tree.getByRole('treeitem', { name: 'index.js' })).toBeVisible();
  await send(page, 'list the files');
  await expect(lastTurn(page)).toContainText('index.js');

  await files.select.selectOption({ label: 'lapsed' });
  await expect(files.panel.getByRole('button', { name: 'Grant access' })).toBeVisible();
  await expect(files.panel.getByRole('button', { name: 'Import files' })).toBeDisabled();
  await files.panel.getByRole('button', { name: 'Grant access' }).click();
  await expect(files.tree.getByRole('treeitem', { name: 'secret.txt' })).toBeVisible();
});

test('without the File System Access API, Open folder… is disabled and says why', async ({ page }) => {
  await page.addInitScript(() => {
    delete (window as { showDirectoryPicker?: unknown }).showDirectoryPicker;
  });
  await openNewThread(page);
  const files = filesPanel(page);
  await files.open();
  const button = files.panel.getByRole('button', { name: 'Open folder…' });
  await expect(button).toBeDisabled();
  await expect(button).toHaveAccessibleDescription(/needs the File System Access API/);
  await expect(files.panel).toContainText('needs the File System Access API');
});
