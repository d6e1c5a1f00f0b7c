import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import { DEFAULT_SETTINGS } from '../../core/index/settings.js';

test('floe settings shows and changes settings through the API schema, with no keychain needed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-settings-'));
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
  // No keychain and no passphrase: settings need neither.
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  try {
    const lines: string[] = [];
    const floe = (...args: string[]) => main(['--data', dir, ...args], (l) => lines.push(l));
    const shown = async () => {
      assert.equal(await floe('--json', 'settings'), EXIT.ok);
      return JSON.parse(lines.pop()!) as typeof DEFAULT_SETTINGS;
    };
    assert.deepEqual(await shown(), DEFAULT_SETTINGS);

    assert.equal(await floe('settings', 'set', 'retention', '{"last":3,"daily":7}'), EXIT.ok);
    assert.equal(await floe('settings', 'set', 'uploadRelayUrl', 'https://relay.example'), EXIT.ok);
    assert.equal(await floe('settings', 'set', 'uploadLimitKiBps', '512'), EXIT.ok);
    const changed = await shown();
    assert.deepEqual(changed.retention, { last: 3, daily: 7 });
    assert.equal(changed.uploadRelayUrl, 'https://relay.example');
    assert.equal(changed.uploadLimitKiBps, 512);

    for (const bad of [
      ['settings', 'set', 'account', '0xabc'],
      ['settings', 'set', 'retention', '{"last":0}'],
      ['settings', 'set', 'network', 'moon'],
      ['settings', 'set', 'uploadLimitKiBps', '-1'],
      ['settings', 'set', 'uploadRelayUrl'],
      ['settings', 'unset', 'network'],
    ])
      assert.equal(await floe(...bad), EXIT.usage, bad.join(' '));
    assert.deepEqual(await shown(), changed, 'a refused change changes nothing');

    assert.equal(await floe('settings', 'set', 'uploadRelayUrl', ''), EXIT.ok);
    assert.equal((await shown()).uploadRelayUrl, '');
  } finally {
    if (bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = bus;
    await rm(dir, { recursive: true, force: true });
  }
});
