// The patches the offline agent writes must be ones the browser's apply_patch accepts: each is
// parsed with the real parser and applied with the real planner over an in-memory workspace.
import { describe, expect, it } from 'vitest';
import { applyPlan, planPatch } from '../../../src/core/patch/applyPatch.ts';
import { parsePatch } from '../../../src/core/patch/parsePatch.ts';
import { createMemoryWorkspace, type Workspace } from '../../../src/core/workspace.ts';
import { demoProjectFiles } from './demoProject.ts';
import { readFileOutput } from './fakeBrowserTools.ts';
import { addFilesPatch, appendLinesPatch, deleteFilePatch, moveFilePatch } from './patches.ts';
import { fileFromReadOutput, tailContext } from './readOutput.ts';

async function apply(patch: string, workspace: Workspace): Promise<string> {
  const result = await applyPlan(await planPatch(parsePatch(patch), workspace), workspace);
  if (result.status !== 'applied') throw new Error(`${result.status}: ${result.message}`);
  return result.summary;
}

/** read_file's output as src/core/tools/readFile.ts makes it. */
const numbered = (text: string): string => readFileOutput('f.txt', text);
/** As the first read_file (src/core/tools.ts) made it: text.split(/\r?\n/), so a final newline
 *  shows as an empty last line. The agent must cope with both. */
function legacyNumbered(text: string): string {
  const lines = text.split(/\r?\n/);
  return lines.map((line, i) => `${String(i + 1).padStart(String(lines.length).length)}\t${line}`).join('\n');
}

async function appendAfterReading(files: Record<string, string>, path: string, text: string, read = numbered): Promise<string> {
  const workspace = createMemoryWorkspace('w', files);
  const tail = tailContext(fileFromReadOutput(read(await workspace.readText(path))));
  await apply(appendLinesPatch(path, text, tail), workspace);
  return workspace.readText(path);
}

describe('patches', () => {
  it('adds the demo project in one patch, every file byte for byte', async () => {
    const files = demoProjectFiles('demo-project');
    const workspace = createMemoryWorkspace('w', {});
    expect(await apply(addFilesPatch(files), workspace)).toBe(files.map((file) => `A ${file.path}`).join('\n'));
    for (const file of files) expect(await workspace.readText(file.path)).toBe(file.content);
  });

  it('keeps empty lines and lines that look like patch syntax inside added files', async () => {
    const content = '\n+plus\n-minus\n*** End Patch\n@@\n  indented\n';
    const workspace = createMemoryWorkspace('w', {});
    await apply(addFilesPatch([{ path: 'tricky.txt', content }]), workspace);
    expect(await workspace.readText('tricky.txt')).toBe(content);
  });

  it('deletes a file', async () => {
    const workspace = createMemoryWorkspace('w', { 'a.txt': 'a\n', 'b.txt': 'b\n' });
    expect(await apply(deleteFilePatch('a.txt'), workspace)).toBe('D a.txt');
    expect(await workspace.exists('a.txt')).toBeNull();
  });

  it('moves a file with an Update + Move to and no hunks, keeping its content', async () => {
    const workspace = createMemoryWorkspace('w', { 'a.txt': 'same\r\ncontent' });
    expect(await apply(moveFilePatch('a.txt', 'docs/b.txt'), workspace)).toBe('M docs/b.txt (moved from a.txt)');
    expect(await workspace.readText('docs/b.txt')).toBe('same\r\ncontent');
    expect(await workspace.exists('a.txt')).toBeNull();
  });

  it.each<[string, string, string]>([
    ['a file ending with a newline', 'one\ntwo\n', 'one\ntwo\nthree\n'],
    ['a file without a final newline', 'one\ntwo', 'one\ntwo\nthree'],
    ['an empty file', '', 'three\n'],
    ['a CRLF file', 'one\r\ntwo\r\n', 'one\r\ntwo\r\nthree\r\n'],
    ['a file ending with blank lines', 'one\n\n\n', 'one\nthree\n\n\n'],
    ['a file whose last lines also occur earlier', 'a\n}\n}\nb\n}\n}\n', 'a\n}\n}\nb\n}\n}\nthree\n'],
  ])('appends after the last lines read, in %s', async (_name, before, after) => {
    expect(await appendAfterReading({ 'f.txt': before }, 'f.txt', 'three')).toBe(after);
    expect(await appendAfterReading({ 'f.txt': before }, 'f.txt', 'three', legacyNumbered)).toBe(after);
  });

  it('appends at the very end even when the whole file repeats its last lines', async () => {
    expect(await appendAfterReading({ 'f.txt': '}\n}\n}\n}\n' }, 'f.txt', 'three')).toBe('}\n}\n}\n}\nthree\n');
  });

  it('quotes the last three lines as context and says *** End of File', () => {
    const tail = tailContext(fileFromReadOutput(numbered('1\n2\n3\n4\n')));
    expect(appendLinesPatch('f.txt', 'five\nsix', tail)).toBe(
      ['*** Begin Patch', '*** Update File: f.txt', '@@', ' 2', ' 3', ' 4', '+five', '+six', '*** End of File', '*** End Patch', ''].join('\n'),
    );
  });

  it('fails, changing nothing, when the file no longer ends as it was read', async () => {
    const workspace = createMemoryWorkspace('w', { 'f.txt': 'one\ntwo\n' });
    const tail = tailContext(fileFromReadOutput(numbered('one\ntwo\n')));
    await workspace.writeText('f.txt', 'one\ntwo\nchanged meanwhile\n');
    await expect(planPatch(parsePatch(appendLinesPatch('f.txt', 'three', tail)), workspace)).rejects.toThrow(/cannot be applied/);
    expect(await workspace.readText('f.txt')).toBe('one\ntwo\nchanged meanwhile\n');
  });

  it('appends at the end without context when the read was cut', async () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i + 1}`);
    const file = fileFromReadOutput(readFileOutput('f.txt', lines.join('\n'), 4));
    expect(file).toEqual({ lines: lines.slice(0, 4), complete: false });
    expect(tailContext(file)).toBeNull();
    const workspace = createMemoryWorkspace('w', { 'f.txt': `${lines.join('\n')}\n` });
    await apply(appendLinesPatch('f.txt', 'eleven', null), workspace);
    expect(await workspace.readText('f.txt')).toBe(`${lines.join('\n')}\neleven\n`);
  });
});

describe('fileFromReadOutput', () => {
  it('reads numbered lines and the note for an empty file', () => {
    expect(fileFromReadOutput(numbered('a\n\tb\n'))).toEqual({ lines: ['a', '\tb'], complete: true });
    expect(fileFromReadOutput(numbered(''))).toEqual({ lines: [], complete: true });
  });

  it('gives no context when a line it would quote was cut', () => {
    expect(tailContext(fileFromReadOutput('1\tshort\n2\tlong… [line cut: 900 more characters]'))).toBeNull();
  });

  it('counts a read that does not start at line 1 as partial', () => {
    expect(fileFromReadOutput('5\tfive\n6\tsix')).toEqual({ lines: ['five', 'six'], complete: false });
  });

  it('takes output it cannot read for certain as incomplete', () => {
    expect(fileFromReadOutput('"x.bin" looks like a binary file (it contains NUL characters)')).toEqual({ lines: [], complete: false });
  });
});
