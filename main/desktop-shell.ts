/**
 * The desktop app's shell as data, tested without Electron: the application menu, and
 * whether the window opens at start. main.ts turns these into Electron objects.
 */
import type { TrayAction } from './tray-state.js';

export type MenuAction = TrayAction | 'settings';

export interface ShellMenuItem {
  label?: string;
  action?: MenuAction;
  /** An Electron role (copy, paste, …) where the OS provides the item. */
  role?: 'copy' | 'paste' | 'cut' | 'selectAll' | 'undo' | 'redo' | 'reload' | 'toggleDevTools';
  accelerator?: string;
  enabled?: boolean;
  separator?: true;
}

export interface ShellMenu {
  label: string;
  submenu: ShellMenuItem[];
}

/**
 * Floe's menu: Preferences, Back up now, Pause/Resume and Quit where people look for them
 * (the app menu on macOS, File elsewhere), and Edit so copy and paste work in the fields.
 */
export function appMenu(o: {
  platform: NodeJS.Platform;
  paused: boolean;
  reachable: boolean;
}): ShellMenu[] {
  const mac = o.platform === 'darwin';
  const floe: ShellMenuItem[] = [
    { label: 'Open Floe', action: 'open', accelerator: 'CmdOrCtrl+O' },
    { label: mac ? 'Preferences…' : 'Settings…', action: 'settings', accelerator: 'CmdOrCtrl+,' },
    { separator: true },
    {
      label: 'Back up now',
      action: 'backup-now',
      accelerator: 'CmdOrCtrl+B',
      enabled: o.reachable && !o.paused,
    },
    o.paused
      ? { label: 'Resume backups', action: 'resume', enabled: o.reachable }
      : { label: 'Pause backups', action: 'pause', enabled: o.reachable },
    { separator: true },
    { label: mac ? 'Quit Floe' : 'Quit', action: 'quit', accelerator: 'CmdOrCtrl+Q' },
  ];
  return [
    { label: mac ? 'Floe' : 'File', submenu: floe },
    {
      label: 'Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { separator: true },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    { label: 'View', submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }] },
  ];
}

/**
 * Whether the window opens at start. Started by the user, always: a person who starts an
 * app expects to see it. Started at login (`--hidden`), the tray is enough — except where
 * the desktop shows no tray icons (GNOME without an extension), where a hidden Floe would
 * look like it never started.
 */
export function openWindowAtStart(o: {
  argv: string[];
  platform: NodeJS.Platform;
  desktop: string | undefined;
  configured: boolean;
}): boolean {
  if (!o.configured || !o.argv.includes('--hidden')) return true;
  return o.platform === 'linux' && /gnome/i.test(o.desktop ?? '');
}
