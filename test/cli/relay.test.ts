/**
 * A backup through a paid upload relay, from the command line: `floe localnet start
 * --relay --relay-tip`, then `floe settings set uploadRelayUrl` is the only change from a
 * direct backup. The relay is tipped for every blob; doctor reports it; a tip above the
 * limit stops a backup without losing anything; restore reads from the storage nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import { startLocalnetProcess } from '../support/localnet-process.js';

test('floe backs up through a paid upload relay once uploadRelayUrl is set', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-relay-'));
  const home = join(dir, 'home');
  const saved = {
    pass: process.env.FLOE_KEY_PASSPHRASE,
    bus: process.env.DBUS_SESSION_BUS_ADDRESS,
  };
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  const net = await startLocalnetProcess(join(home, 'localnet'), [
    '--relay',
    '--relay-tip',
    '1000',
  ]);
  try {
    const info = net.info;
    const tipConfig = (await (await fetch(`${info.relayUrl}/v1/tip-config`)).json()) as {
      send_tip: { address: string; kind: { const: number } };
    };
    assert.equal(tipConfig.send_tip.kind.const, 1000);
    const relaySui = async () =>
      BigInt(
        (
          (await (
            await fetch(`${info.ledgerUrl}/v1/accounts/${tipConfig.send_tip.address}`)
          ).json()) as { sui: string }
        ).sui,
      );

    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const floe = (...args: string[]) => main(['--data', home, ...args], out);
    const src = join(dir, 'Photos');
    await mkdir(src);
    await writeFile(join(src, 'a.jpg'), randomBytes(200_000));
    await writeFile(join(src, 'notes.txt'), 'relay me');

    assert.equal(await floe('init'), EXIT.ok);
    assert.equal(await floe('settings', 'set', 'uploadRelayUrl', 'ftp://relay'), EXIT.usage);
    assert.equal(await floe('settings', 'set', 'uploadRelayUrl', info.relayUrl!), EXIT.ok);
    assert.equal(await floe('add', src), EXIT.ok);
    assert.equal(await floe('backup'), EXIT.ok);
    assert.equal(await relaySui(), 3000n, 'a tip for the pack, the index blob and the snapshot');

    assert.equal(await floe('--json', 'doctor'), EXIT.ok);
    const findings = (
      JSON.parse(lines.pop()!) as { findings: { check: string; verdict: string; detail: string }[] }
    ).findings;
    const relay = findings.find((f) => f.check === 'upload relay');
    assert.equal(relay?.verdict, 'ok');
    assert.match(relay!.detail, /1000 MIST per blob/);

    // A tip above the limit: the backup fails, says why, and loses nothing.
    assert.equal(await floe('settings', 'set', 'uploadRelayMaxTipMist', '999'), EXIT.ok);
    await writeFile(join(src, 'notes.txt'), 'relay me, edited');
    const errors: string[] = [];
    const consoleError = console.error;
    console.error = (line: string) => errors.push(line);
    try {
      assert.equal(await floe('backup'), EXIT.failure);
    } finally {
      console.error = consoleError;
    }
    assert.match(errors.join('\n'), /tip of 1000 MIST .* more than the 999 MIST allowed/);
    assert.equal(await relaySui(), 3000n, 'nothing more was paid');
    assert.equal(await floe('settings', 'set', 'uploadRelayMaxTipMist', '1000'), EXIT.ok);
    assert.equal(await floe('backup'), EXIT.ok);
    assert.ok((await relaySui()) > 3000n);

    const target = join(dir, 'restored');
    assert.equal(await floe('restore', '--target', target), EXIT.ok);
    assert.deepEqual(await readFile(join(target, 'a.jpg')), await readFile(join(src, 'a.jpg')));
    assert.equal(await readFile(join(target, 'notes.txt'), 'utf8'), 'relay me, edited');
  } finally {
    await net.stop();
    if (saved.pass === undefined) delete process.env.FLOE_KEY_PASSPHRASE;
    else process.env.FLOE_KEY_PASSPHRASE = saved.pass;
    if (saved.bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus;
    await rm(dir, { recursive: true, force: true });
  }
});
