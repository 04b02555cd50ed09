// Runs in the page (see ../tab.ts: self-contained functions, JSON in and out).
//
// The user's steps in the real UI, found the way a user finds them: the "New thread" button, the
// textbox labelled "Message", the Send button, the transcript (role=log) and its turns (articles).

/**
 * Clicks "New thread" and resolves with the new thread's id once the URL shows it. The app may
 * still be redirecting from `/` to the newest thread when the click lands, so "a new URL" is not
 * enough: the new id must be one that was not in the thread store (read-only; the `threads`
 * store of src/storage/idbThreadStore.ts) before the click.
 */
export async function uiNewThread(dbName: string): Promise<string> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const known = new Set(
    db.objectStoreNames.contains('threads')
      ? await new Promise<IDBValidKey[]>((resolve, reject) => {
          const request = db.transaction('threads').objectStore('threads').getAllKeys();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        })
      : [],
  );
  db.close();
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'New thread');
  if (!button) throw new Error('no "New thread" button');
  button.click();
  const opened = () => {
    if (!location.pathname.startsWith('/t/')) return null;
    const id = decodeURIComponent(location.pathname.slice('/t/'.length));
    return known.has(id) ? null : id;
  };
  const deadline = performance.now() + 10_000;
  for (let id = opened(); ; id = opened()) {
    if (id !== null) return id;
    if (performance.now() > deadline) throw new Error('"New thread" did not open a new thread');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once the composer is on screen (the app has rendered). */
export async function uiComposerReady(): Promise<void> {
  const deadline = performance.now() + 10_000;
  while (!document.querySelector('textarea[aria-label="Message"]')) {
    if (performance.now() > deadline) throw new Error('no composer');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface SendResult {
  /** Wall-clock time of the click on Send (ms since the epoch). */
  clickedAt: number;
  /** From the click until the turn appeared (or, with `wait`, finished), ms. */
  elapsedMs: number;
}

/**
 * Types `text` into the composer and presses Send. With `wait`, resolves once the transcript
 * shows the new turn finished (not busy, last turn not running); otherwise as soon as the turn
 * appears.
 */
export async function uiSend(args: { text: string; wait: boolean }): Promise<SendResult> {
  const textarea = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
  if (!textarea) throw new Error('no composer');
  const turns = () => document.querySelectorAll('[role="log"][aria-label="Transcript"] article');
  const before = turns().length;
  // React tracks the value it last rendered: set it through the native setter, then announce it.
  Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!.call(textarea, args.text);
  textarea.dispatchEvent(new Event('input', { bubbles: true }));
  const form = textarea.closest('form')!;
  let send = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  for (let i = 0; send?.disabled && i < 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    send = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  }
  if (!send || send.disabled) throw new Error(`Send stayed disabled (${send?.title || 'no turn running'}; transcript busy: ${document.querySelector('[role="log"]')?.getAttribute('aria-busy')})`);
  const clickedAt = performance.now();
  send.click();

  const settled = () => {
    const all = turns();
    if (all.length <= before) return false;
    if (!args.wait) return true;
    const log = document.querySelector('[role="log"][aria-label="Transcript"]');
    return log?.getAttribute('aria-busy') === 'false' && !all[all.length - 1]!.className.includes('turn--running');
  };
  await new Promise<void>((resolve, reject) => {
    if (settled()) return resolve();
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`turn "${args.text.slice(0, 40)}" did not ${args.wait ? 'finish' : 'appear'}`));
    }, 60_000);
    const observer = new MutationObserver(() => {
      if (!settled()) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve();
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['aria-busy', 'class'] });
  });
  return { clickedAt: performance.timeOrigin + clickedAt, elapsedMs: performance.now() - clickedAt };
}

/** Resolves once no turn is running in the open thread (the transcript is not busy). */
export async function uiIdle(): Promise<void> {
  const deadline = performance.now() + 60_000;
  const busy = () => document.querySelector('[role="log"][aria-label="Transcript"]')?.getAttribute('aria-busy') !== 'false';
  while (busy()) {
    if (performance.now() > deadline) throw new Error('the open thread stayed busy');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Shows a thread by clicking its link in the thread list; resolves once the URL shows it. */
export async function uiShowThread(threadId: string): Promise<void> {
  const path = `/t/${encodeURIComponent(threadId)}`;
  const deadline = performance.now() + 10_000;
  for (;;) {
    const link = document.querySelector<HTMLAnchorElement>(`nav[aria-label="Threads"] a[href="${path}"]`);
    if (link) {
      link.click();
      break;
    }
    if (performance.now() > deadline) throw new Error(`thread ${threadId} is not in the thread list`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  while (location.pathname !== path) {
    if (performance.now() > deadline) throw new Error(`thread ${threadId} did not open`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
