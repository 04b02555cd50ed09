// Workspace folders over the fake handles: OPFS folders by id, local folders by handle (the same
// handle API; a headless test cannot drive showDirectoryPicker, so a fake or OPFS handle stands
// in for the picked folder), import, zip and the viewer's reads.
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { planWorkspaceImport } from '../src/core/workspaceImport.ts';
import type { WorkspaceRecord } from '../src/core/workspaceRegistry.ts';
import { guardAccess, lostAccessMessage } from '../src/core/workspaceResolver.ts';
import { zipWorkspace } from '../src/core/workspaceZip.ts';
import { createOpfsWorkspace, openOpfsWorkspace, openOpfsWorkspaceRoot } from './opfsWorkspace.ts';
import { asHandle, FakeDir, fakeStorage } from './testing/fakeFileSystem.ts';
import {
  openWorkspaceRoot,
  queryAccess,
  readAllFiles,
  readFilePreview,
  removeOpfsWorkspaceFolder,
  requestAccess,
  toHandleRef,
  writeImportedFiles,
} from './workspaceFolders.ts';

const workspacesOf = async (root: FakeDir) => [...(await root.getDirectoryHandle('workspaces')).children.keys()].sort();

describe('OPFS workspace folders', () => {
  it('gives the default workspace its starter files once, and other workspaces an empty folder', async () => {
    const { storage, root } = fakeStorage();
    const def = await openOpfsWorkspace(storage, 'default');
    expect(def.id).toBe('default');
    expect(Object.keys(await root.dump())).toEqual(['workspaces/default/README.md', 'workspaces/default/src/hello.js']);
    await def.remove('README.md');
    await openOpfsWorkspace(storage, 'default');
    expect(await def.exists('README.md')).toBeNull(); // not written again
    const other = await openOpfsWorkspace(storage, 'w-1');
    expect(await other.list('', 5)).toEqual([]);
    expect(await workspacesOf(root)).toEqual(['default', 'w-1']);
  });

  it('creates and removes a workspace folder recursively, and never the default one', async () => {
    const { storage, root } = fakeStorage();
    const folder = await openOpfsWorkspaceRoot(storage, 'w-2');
    await createOpfsWorkspace('w-2', folder as never).writeText('deep/er/file.txt', 'x');
    await openOpfsWorkspace(storage, 'default');
    await removeOpfsWorkspaceFolder(storage, 'w-2');
    expect(await workspacesOf(root)).toEqual(['default']);
    await removeOpfsWorkspaceFolder(storage, 'w-2'); // already gone: fine
    await expect(removeOpfsWorkspaceFolder(storage, 'default')).rejects.toThrow('cannot be deleted');
    await expect(openOpfsWorkspaceRoot(storage, '../x')).rejects.toThrow('cannot name a workspace folder');
  });

  it('opens a record’s root: OPFS by id, a local folder by its handle', async () => {
    const { storage } = fakeStorage();
    const picked = new FakeDir('my-project');
    picked.put('index.js', 'hi');
    const local: WorkspaceRecord = { id: 'l', name: 'my-project', kind: 'local', createdAt: 1, handle: toHandleRef(asHandle(picked)) };
    expect(await openWorkspaceRoot(storage, local)).toBe(picked);
    const opfs = await openWorkspaceRoot(storage, { id: 'o', name: 'O', kind: 'opfs', createdAt: 1 });
    expect((opfs as unknown as FakeDir).name).toBe('o');
    await expect(openWorkspaceRoot(storage, { ...local, handle: undefined as never })).rejects.toThrow('lost its folder');
  });
});

describe('local folder access', () => {
  it('queries and requests readwrite permission; handles without the methods count as granted', async () => {
    const dir = new FakeDir('p');
    expect(await queryAccess(asHandle(dir))).toBe('granted');
    dir.permission = 'prompt';
    expect(await queryAccess(asHandle(dir))).toBe('prompt');
    expect(await requestAccess(asHandle(dir))).toBe('granted');
    expect(dir.requests).toBe(1);
  });

  it('a guarded handle workspace works while granted and fails with the message when not (the broker’s path)', async () => {
    const dir = new FakeDir('my-project');
    dir.put('src/a.js', 'A');
    dir.permission = 'granted';
    const workspace = guardAccess(createOpfsWorkspace('l', asHandle(dir)), 'my-project', () => queryAccess(asHandle(dir)));
    expect(await workspace.readText('src/a.js')).toBe('A');
    await workspace.writeText('src/b.js', 'B');
    dir.permission = 'prompt';
    await expect(workspace.readText('src/a.js')).rejects.toThrow(lostAccessMessage('my-project'));
    await expect(workspace.writeText('src/c.js', 'C')).rejects.toThrow(lostAccessMessage('my-project'));
    expect(await dir.dump()).toEqual({ 'src/a.js': 'A', 'src/b.js': 'B' });
  });
});

describe('import', () => {
  it('writes files at their planned paths, bytes intact, replacing existing ones', async () => {
    const dir = new FakeDir();
    dir.put('project/README.md', 'old');
    const files = [
      new File(['new readme'], 'README.md'),
      new File([new Uint8Array([0, 1, 2, 3])], 'logo.png'),
    ];
    Object.defineProperty(files[0], 'webkitRelativePath', { value: 'project/README.md' });
    Object.defineProperty(files[1], 'webkitRelativePath', { value: 'project/assets/logo.png' });
    const outcome = await writeImportedFiles(asHandle(dir), planWorkspaceImport(files));
    expect(outcome).toEqual({ written: 2, failed: [] });
    expect((await dir.dump())['project/README.md']).toBe('new readme');
    const logo = await (await (await (await dir.getDirectoryHandle('project')).getDirectoryHandle('assets')).getFileHandle('logo.png')).getFile();
    expect([...new Uint8Array(await logo.arrayBuffer())]).toEqual([0, 1, 2, 3]);
  });

  it('reports files it cannot write and writes the rest', async () => {
    const dir = new FakeDir();
    dir.put('taken/inside.txt', 'i'); // "taken" is a directory
    dir.put('file.txt', 'f'); // so "file.txt/x" cannot be created
    const files = [new File(['1'], 'taken'), new File(['2'], 'ok.txt'), new File(['3'], 'x')];
    Object.defineProperty(files[2], 'webkitRelativePath', { value: 'file.txt/x' });
    const outcome = await writeImportedFiles(asHandle(dir), planWorkspaceImport(files));
    expect(outcome.written).toBe(1);
    expect(outcome.failed.map((f) => f.path)).toEqual(['file.txt/x', 'taken']);
    expect(outcome.failed[1]!.reason).toContain('"taken" is not a file');
    expect((await dir.dump())['ok.txt']).toBe('2');
  });

  it('writes nothing when the import is over a cap', async () => {
    const dir = new FakeDir();
    expect(() => planWorkspaceImport([new File(['12345'], 'a')], '', { maxBytes: 4, maxFiles: 10 })).toThrow('Not imported');
    expect(await dir.dump()).toEqual({});
  });
});

describe('readAllFiles and the zip', () => {
  it('reads every file with its bytes and the empty folders, and zips them', async () => {
    const dir = new FakeDir();
    dir.put('README.md', '# R');
    dir.put('src/a.js', 'a');
    dir.put('src/lib/b.bin', new Uint8Array([9, 0, 9]));
    await dir.getDirectoryHandle('empty', { create: true });
    const snapshot = await readAllFiles(asHandle(dir));
    expect(snapshot.files.map((f) => f.path)).toEqual(['README.md', 'src/a.js', 'src/lib/b.bin']);
    expect(snapshot.emptyDirectories).toEqual(['empty']);
    expect(snapshot.files[0]!.lastModified).toBe(Date.UTC(2026, 0, 2, 3, 4, 6));
    const out = unzipSync(zipWorkspace(snapshot));
    expect(Object.keys(out).sort()).toEqual(['README.md', 'empty/', 'src/a.js', 'src/lib/b.bin']);
    expect(strFromU8(out['src/a.js']!)).toBe('a');
    expect([...out['src/lib/b.bin']!]).toEqual([9, 0, 9]);
  });

  it('refuses a workspace over the caps before reading it all', async () => {
    const dir = new FakeDir();
    dir.put('a', '1234');
    dir.put('b', '5678');
    await expect(readAllFiles(asHandle(dir), { maxBytes: 7, maxFiles: 100 })).rejects.toThrow('too large to download as a zip');
    await expect(readAllFiles(asHandle(dir), { maxBytes: 100, maxFiles: 1 })).rejects.toThrow('at most 1 files and 100 B');
    expect((await readAllFiles(asHandle(dir), { maxBytes: 8, maxFiles: 2 })).files).toHaveLength(2);
  });
});

describe('readFilePreview', () => {
  it('reads a text file whole', async () => {
    const dir = new FakeDir();
    dir.put('src/a.js', 'line 1\nline 2\n');
    expect(await readFilePreview(asHandle(dir), 'src/a.js')).toEqual({ size: 14, text: 'line 1\nline 2\n', cut: false, binary: false });
  });

  it('cuts a big file and says so', async () => {
    const dir = new FakeDir();
    dir.put('big.txt', 'x'.repeat(1000));
    expect(await readFilePreview(asHandle(dir), 'big.txt', 100)).toEqual({ size: 1000, text: 'x'.repeat(100), cut: true, binary: false });
  });

  it('does not show a binary file', async () => {
    const dir = new FakeDir();
    dir.put('a.bin', new Uint8Array([65, 0, 66]));
    expect(await readFilePreview(asHandle(dir), 'a.bin')).toEqual({ size: 3, text: '', cut: false, binary: true });
  });

  it('says when the file is gone', async () => {
    const dir = new FakeDir();
    await expect(readFilePreview(asHandle(dir), 'nope/a.txt')).rejects.toThrow('"nope/a.txt" is no longer in the workspace.');
  });
});

describe('openWorkspaceRoot without recreating', () => {
  it('refuses a deleted OPFS workspace instead of bringing its folder back, but always opens the default', async () => {
    const { storage, root } = fakeStorage();
    await openOpfsWorkspaceRoot(storage, 'w');
    await removeOpfsWorkspaceFolder(storage, 'w');
    await expect(openWorkspaceRoot(storage, { id: 'w', name: 'W', kind: 'opfs', createdAt: 1 }, { createMissing: false })).rejects.toThrow('its folder is gone');
    expect(await workspacesOf(root)).toEqual([]);
    await openWorkspaceRoot(storage, { id: 'default', name: 'Default', kind: 'opfs', createdAt: 0 }, { createMissing: false });
    expect(await workspacesOf(root)).toEqual(['default']);
  });
});
