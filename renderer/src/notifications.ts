/**
 * Desktop notifications from the browser window (the Notifications API, once the user
 * allows it); the desktop app shows Electron's own from its main process, so the window
 * stays quiet there. Which conditions are news is core/sync/notices.ts's call; what was
 * shown is kept in localStorage, so a reload does not show it again.
 */
import { newNotices, notices } from '../../core/sync/notices.js';
import { desktopToken } from './desktop.js';
import type { Status } from './wire.js';

const SEEN_KEY = 'floe.notices.seen';

/** Whether this window can ask for notifications, and whether it may show them. */
export function notificationState(): 'unsupported' | 'desktop' | NotificationPermission {
  if (desktopToken() !== null) return 'desktop';
  if (typeof Notification === 'undefined') return 'unsupported';
  return Notification.permission;
}

/** Asks the browser (from a click: browsers refuse otherwise). */
export async function askForNotifications(): Promise<NotificationPermission> {
  return Notification.requestPermission();
}

/** Shows the notices this status brings that were not shown before. */
export function notify(status: Status): void {
  if (notificationState() !== 'granted') return;
  let seen: Set<string>;
  try {
    seen = new Set(JSON.parse(localStorage.getItem(SEEN_KEY) ?? '[]') as string[]);
  } catch {
    seen = new Set();
  }
  const next = newNotices(notices(status), seen);
  localStorage.setItem(SEEN_KEY, JSON.stringify([...next.seen]));
  for (const n of next.show) {
    const note = new Notification(n.title, { body: n.body, tag: n.key });
    note.onclick = () => window.focus();
  }
}
