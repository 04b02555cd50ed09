// An in-memory fake of the File System Access handles (OPFS and showDirectoryPicker folders
// alike), with the DOMException names the spec gives for each failure, real Blob/File contents,
// and an optional permission state. For the unit tests of sw/.
const fail = (name: 'NotFoundError' | 'TypeMismatchError' | 'InvalidModificationError' | 'NotAllowedError') => new DOMException(name, name);

export class FakeFile {
  readonly kind = 'file';
  content: Blob = new Blob([]);
  lastModified = Date.UTC(2026, 0, 2, 3, 4, 6);
  constructor(readonly name: string) {}
  async getFile(): Promise<File> {
    return new File([this.content], this.name, { lastModified: this.lastModified });
  }
  async createWritable() {
    // Like OPFS: writes go to a swap buffer that replaces the content only on close().
    const swap: (Blob | string)[] = [];
    return {
      write: async (data: Blob | string) => void swap.push(data),
      close: async () => {
        this.content = new Blob(swap);
      },
      abort: async () => undefined,
    };
  }
}

export class FakeDir {
  readonly kind = 'directory';
  readonly children = new Map<string, FakeDir | FakeFile>();
  /** What queryPermission answers; null: the handle has no permission methods at all. */
  permission: PermissionState | null = null;
  requests = 0;
  constructor(readonly name = '') {}

  async getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<FakeDir> {
    const child = this.children.get(name) ?? (options?.create ? this.add(new FakeDir(name)) : null);
    if (!child) throw fail('NotFoundError');
    if (!(child instanceof FakeDir)) throw fail('TypeMismatchError');
    return child;
  }
  async getFileHandle(name: string, options?: { create?: boolean }): Promise<FakeFile> {
    const child = this.children.get(name) ?? (options?.create ? this.add(new FakeFile(name)) : null);
    if (!child) throw fail('NotFoundError');
    if (!(child instanceof FakeFile)) throw fail('TypeMismatchError');
    return child;
  }
  async removeEntry(name: string, options?: { recursive?: boolean }) {
    const child = this.children.get(name);
    if (!child) throw fail('NotFoundError');
    if (child instanceof FakeDir && child.children.size > 0 && !options?.recursive) throw fail('InvalidModificationError');
    this.children.delete(name);
  }
  async *entries(): AsyncIterable<[string, FakeDir | FakeFile]> {
    yield* [...this.children.entries()];
  }
  get queryPermission() {
    if (this.permission === null) return undefined;
    return async () => this.permission!;
  }
  get requestPermission() {
    if (this.permission === null) return undefined;
    return async () => {
      this.requests++;
      this.permission = 'granted';
      return this.permission;
    };
  }

  /** Test setup: writes a file, creating parents. */
  put(path: string, content: string | Uint8Array): FakeFile {
    const parts = path.split('/');
    let dir: FakeDir = this;
    for (const part of parts.slice(0, -1)) {
      const next = dir.children.get(part);
      dir = next instanceof FakeDir ? next : dir.add(new FakeDir(part));
    }
    const file = new FakeFile(parts.at(-1)!);
    file.content = new Blob([content as BlobPart]);
    dir.children.set(file.name, file);
    return file;
  }

  /** Test inspection: every file's path and text, sorted. */
  async dump(prefix = ''): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, child] of this.children) {
      const path = prefix ? `${prefix}/${name}` : name;
      if (child instanceof FakeDir) Object.assign(out, await child.dump(path));
      else out[path] = await child.content.text();
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  private add<T extends FakeDir | FakeFile>(child: T): T {
    this.children.set(child.name, child);
    return child;
  }
}

/** `navigator.storage` with `getDirectory()` answering the fake OPFS root. */
export function fakeStorage(root = new FakeDir()): { storage: StorageManager; root: FakeDir } {
  return { storage: { getDirectory: async () => root } as unknown as StorageManager, root };
}

export const asHandle = (dir: FakeDir) => dir as unknown as FileSystemDirectoryHandle;
