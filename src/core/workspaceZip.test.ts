import { strFromU8, strToU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { zipFileName, zipWorkspace } from './workspaceZip.ts';

describe('zipWorkspace', () => {
  it('zips every file at its path, bytes intact, with empty directories as entries', () => {
    const binary = new Uint8Array([0, 1, 2, 255, 0, 128]);
    const zip = zipWorkspace({
      files: [
        { path: 'README.md', bytes: strToU8('# Hi\n') },
        { path: 'src/deep/a.ts', bytes: strToU8('export const a = 1;\n'.repeat(100)) },
        { path: 'img/logo.png', bytes: binary },
        { path: 'ünïcode name.txt', bytes: strToU8('ü') },
      ],
      emptyDirectories: ['empty', 'src/also-empty'],
    });
    const out = unzipSync(zip);
    expect(Object.keys(out).sort()).toEqual(['README.md', 'empty/', 'img/logo.png', 'src/also-empty/', 'src/deep/a.ts', 'ünïcode name.txt']);
    expect(strFromU8(out['README.md']!)).toBe('# Hi\n');
    expect(strFromU8(out['src/deep/a.ts']!)).toBe('export const a = 1;\n'.repeat(100));
    expect([...out['img/logo.png']!]).toEqual([...binary]);
    expect(strFromU8(out['ünïcode name.txt']!)).toBe('ü');
    expect(out['empty/']!.length).toBe(0);
  });

  it('compresses text and stores already-compressed formats as they are', () => {
    const text = strToU8('the same line again\n'.repeat(1_000));
    const png = new Uint8Array(20_000).fill(7);
    const zip = zipWorkspace({ files: [{ path: 'a.txt', bytes: text }, { path: 'b.png', bytes: png }], emptyDirectories: [] });
    // b.png is stored (its 20 kB are in the zip as they are); a.txt deflates to almost nothing.
    expect(zip.length).toBeGreaterThan(20_000);
    expect(zip.length).toBeLessThan(20_000 + 2_000);
  });

  it('keeps modification times, clamped to the zip epoch', () => {
    const when = Date.UTC(2025, 5, 1, 12, 30, 10);
    const zip = zipWorkspace({ files: [{ path: 'a', bytes: strToU8('a'), lastModified: when }, { path: 'old', bytes: strToU8('o'), lastModified: 0 }], emptyDirectories: [] });
    expect(Object.keys(unzipSync(zip)).sort()).toEqual(['a', 'old']);
  });

  it('makes an empty zip for an empty workspace', () => {
    expect(unzipSync(zipWorkspace({ files: [], emptyDirectories: [] }))).toEqual({});
  });
});

describe('zipFileName', () => {
  it('names the zip after the workspace, replacing what file systems refuse', () => {
    expect(zipFileName('My project')).toBe('My project.zip');
    expect(zipFileName('a/b:c*?')).toBe('a-b-c.zip');
    expect(zipFileName('...')).toBe('workspace.zip');
    expect(zipFileName('')).toBe('workspace.zip');
  });
});
