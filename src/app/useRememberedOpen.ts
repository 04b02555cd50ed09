// Whether a collapsible side panel is open: the user's last choice in this browser, or, before
// there is one, whether the screen is wide enough for the panel (a media query).
import { useState } from 'react';

function initiallyOpen(key: string, wideScreen: string): boolean {
  try {
    const saved = localStorage.getItem(key);
    if (saved !== null) return saved === '1';
  } catch {
    // Storage may be unavailable (privacy settings): fall back to the screen width.
  }
  return typeof window.matchMedia === 'function' && window.matchMedia(wideScreen).matches;
}

/** `[open, toggle]`; toggling remembers the choice under `key`. */
export function useRememberedOpen(key: string, wideScreen: string): [boolean, () => void] {
  const [open, setOpen] = useState(() => initiallyOpen(key, wideScreen));
  const toggle = () => {
    setOpen(!open);
    try {
      localStorage.setItem(key, open ? '0' : '1');
    } catch {
      // Not remembered then; it still toggles.
    }
  };
  return [open, toggle];
}
