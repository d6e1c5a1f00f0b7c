import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appMenu, openWindowAtStart } from '../../main/desktop-shell.js';

test('the application menu has Preferences, Back up now, Pause and Quit, and Edit for the fields', () => {
  const menu = appMenu({ platform: 'linux', paused: false, reachable: true });
  const file = menu.find((m) => m.label === 'File')!;
  assert.deepEqual(
    file.submenu.filter((i) => i.action).map((i) => `${i.action}:${i.enabled ?? true}`),
    ['open:true', 'settings:true', 'backup-now:true', 'pause:true', 'quit:true'],
  );
  assert.ok(menu.find((m) => m.label === 'Edit')!.submenu.some((i) => i.role === 'paste'));
  const paused = appMenu({ platform: 'darwin', paused: true, reachable: true });
  assert.equal(paused[0]!.label, 'Floe', "macOS's app menu");
  assert.ok(paused[0]!.submenu.some((i) => i.label === 'Preferences…'));
  assert.ok(paused[0]!.submenu.some((i) => i.action === 'resume'));
  assert.equal(paused[0]!.submenu.find((i) => i.action === 'backup-now')!.enabled, false);
  const down = appMenu({ platform: 'win32', paused: false, reachable: false });
  assert.equal(down[0]!.submenu.find((i) => i.action === 'pause')!.enabled, false);
});

test('the window opens at start unless started at login where a tray shows Floe', () => {
  const at = (argv: string[], desktop?: string, configured = true) =>
    openWindowAtStart({ argv, platform: 'linux', desktop, configured });
  assert.equal(at([]), true, 'started by hand');
  assert.equal(at(['--hidden'], 'KDE'), false, 'at login, with a tray');
  assert.equal(at(['--hidden'], 'ubuntu:GNOME'), true, 'at login, no tray on GNOME');
  assert.equal(at(['--hidden'], 'KDE', false), true, 'not set up yet');
  assert.equal(
    openWindowAtStart({
      argv: ['--hidden'],
      platform: 'darwin',
      desktop: undefined,
      configured: true,
    }),
    false,
  );
});
