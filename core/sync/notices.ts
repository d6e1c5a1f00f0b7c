/**
 * Desktop notifications: the conditions worth interrupting someone for — a backup that
 * keeps failing, a renewal that failed, a balance running low, a folder gone missing,
 * deletions held — each with a key that names the condition *and* its occurrence, so a
 * notice is shown once when a condition starts and again only when it changes (a new
 * failure, a folder missing again after it came back). A pure function of the status, and
 * a tracker of what was shown: the desktop app and the browser window use both.
 */
import { LOW_BALANCE_EPOCHS } from './overall-state.js';
import type { FloeStatus } from './status.js';

export interface Notice {
  key: string;
  title: string;
  body: string;
}

export function notices(status: FloeStatus): Notice[] {
  const out: Notice[] = [];
  const base = (p: string) => p.split(/[/\\]/).filter(Boolean).at(-1) ?? p;
  for (const f of status.folders) {
    if (f.paused) continue;
    const occurrence = `${f.id}:${f.stateSince ?? 0}`;
    if (f.state === 'failed')
      out.push({
        key: `backup-failed:${occurrence}`,
        title: `Backup of ${base(f.path)} failed`,
        body: `${f.lastError ?? 'It failed several times.'} Floe keeps trying; your files are still on this computer.`,
      });
    else if (f.state === 'missing')
      out.push({
        key: `folder-missing:${occurrence}`,
        title: `${base(f.path)} is missing`,
        body: `Floe cannot read ${f.path} (an unplugged drive?). Its last backup stands; it is backed up again when it is back.`,
      });
    else if (f.state === 'held')
      out.push({
        key: `deletions-held:${occurrence}`,
        title: `Deletions in ${base(f.path)} are waiting for you`,
        body: `${f.detail.held ? `${f.detail.held.deleted} of ${f.detail.held.total} files are gone. ` : ''}Floe keeps the last backup until you confirm.`,
      });
  }
  const failure = status.renewalFailures[0];
  if (failure)
    out.push({
      key: `renewal-failed:${failure.time}`,
      title: 'Storage renewal failed',
      body: `${failure.reason}. Floe tries again every hour and at every epoch.`,
    });
  const storage = status.storage;
  if (
    storage?.epochsAffordable !== null &&
    storage &&
    storage.epochsAffordable < LOW_BALANCE_EPOCHS
  )
    out.push({
      key: 'balance-low',
      title: 'Your balance is running low',
      body: `It pays for ${storage.epochsAffordable} more epoch(s) of storage. Add WAL to keep your backups.`,
    });
  return out;
}

/**
 * Which notices to show now: those whose condition was not there at the last look. A
 * condition that goes away is forgotten, so its return is news again. `seen` is whatever
 * the caller keeps between looks (the browser keeps it across reloads).
 */
export function newNotices(
  current: Notice[],
  seen: ReadonlySet<string>,
): { show: Notice[]; seen: Set<string> } {
  return {
    show: current.filter((n) => !seen.has(n.key)),
    seen: new Set(current.map((n) => n.key)),
  };
}
