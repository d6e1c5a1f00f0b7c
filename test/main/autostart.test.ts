import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  autostartPath,
  execArgument,
  linuxAutostartEnabled,
  setLinuxAutostart,
} from '../../main/autostart.js';

test('start at login on Linux writes and removes an XDG autostart entry', async () => {
  const home = await mkdtemp(join(tmpdir(), 'floe-autostart-'));
  try {
    const env = { HOME: home };
    const path = autostartPath(env);
    assert.equal(path, join(home, '.config', 'autostart', 'floe.desktop'));
    assert.equal(await linuxAutostartEnabled(env), false);
    assert.equal(await setLinuxAutostart(true, ['/opt/Floe/floe', '--hidden'], env), true);
    const entry = await readFile(path, 'utf8');
    assert.match(entry, /^\[Desktop Entry\]\nType=Application\nName=Floe\n/);
    assert.match(entry, /\nExec=\/opt\/Floe\/floe --hidden\n/);
    assert.equal((await stat(path)).mode & 0o777, 0o644);
    assert.equal(await setLinuxAutostart(true, ['/opt/Floe/floe', '--hidden'], env), true, 'again');
    assert.equal(await setLinuxAutostart(false, [], env), false);
    assert.equal(await linuxAutostartEnabled(env), false);
    assert.equal(await setLinuxAutostart(false, [], env), false, 'removing twice is fine');
    // XDG_CONFIG_HOME wins over HOME.
    assert.equal(
      autostartPath({ HOME: home, XDG_CONFIG_HOME: join(home, 'cfg') }),
      join(home, 'cfg', 'autostart', 'floe.desktop'),
    );
  } finally {
    await rm(home, { recursive: true, force: true });
  }
});

test('Exec arguments with spaces or quotes are quoted as the Desktop Entry spec says', () => {
  assert.equal(execArgument('/usr/bin/floe'), '/usr/bin/floe');
  assert.equal(execArgument('/home/a b/Floe.AppImage'), '"/home/a b/Floe.AppImage"');
  assert.equal(execArgument('say "hi" $HOME'), '"say \\"hi\\" \\$HOME"');
});
