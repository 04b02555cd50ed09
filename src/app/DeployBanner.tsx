import { useState, useSyncExternalStore } from 'react';
import { useServices } from './ServicesContext.ts';

/** Shown when another tab runs a different deployment: this tab's broker and channel are not
 *  the new ones, so it should be reloaded. Not blocking: work in this tab goes on. */
export function DeployBanner() {
  const { otherVersion } = useServices();
  const version = useSyncExternalStore(otherVersion.subscribe, otherVersion.get);
  const [dismissed, setDismissed] = useState<string | null>(null);
  if (version === null || version === dismissed) return null;
  return (
    <div className="banner" role="alert">
      <span className="banner__text">A new version of Switchboard is open in another tab. Reload to update.</span>
      <button type="button" className="button button--primary button--small" onClick={() => window.location.reload()}>
        Reload
      </button>
      <button type="button" className="button button--ghost button--small" onClick={() => setDismissed(version)}>
        Dismiss
      </button>
    </div>
  );
}
