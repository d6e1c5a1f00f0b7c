import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';

test('floe init, add, backup, snapshots, and restore on a second machine from the phrase', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-e2e-'));
  const savedPass = process.env.FLOE_KEY_PASSPHRASE;
  const savedBus = process.env.DBUS_SESSION_BUS_ADDRESS;
  // No keychain in this process: the key file with a passphrase, as on a headless server.
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  try {
    const home1 = join(dir, 'machine1');
    const src = join(dir, 'Documents');
    await mkdir(join(src, 'sub'), { recursive: true });
    const data = randomBytes(150_000);
    await writeFile(join(src, 'sub', 'data.bin'), data);
    await writeFile(join(src, 'note.txt'), 'remember');
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);

    assert.equal(await main(['--data', home1, '--json', 'init'], out), EXIT.ok);
    const { phrase, address } = JSON.parse(lines.pop()!) as { phrase: string; address: string };
    assert.equal(phrase.split(' ').length, 24);
    assert.equal(await main(['--data', home1, 'init'], out), EXIT.usage, 'init twice is refused');
    assert.equal(await main(['--data', home1, 'add', src], out), EXIT.ok);
    assert.equal(await main(['--data', home1, '--json', 'backup'], out), EXIT.ok);
    assert.equal((JSON.parse(lines.pop()!) as { files: number }).files, 2);
    assert.equal(await main(['--data', home1, '--json', 'snapshots'], out), EXIT.ok);
    assert.equal((JSON.parse(lines.pop()!) as unknown[]).length, 1);

    // Machine two shares the network (same localnet directory) and knows only the phrase.
    const home2 = join(dir, 'machine2');
    await cp(join(home1, 'localnet'), join(home2, 'localnet'), { recursive: true });
    const target = join(dir, 'restored');
    assert.equal(
      await main(['--data', home2, 'restore', '--phrase', 'not a phrase', '--target', target], out),
      EXIT.wrongPhrase,
    );
    assert.equal(
      await main(
        ['--data', home2, '--json', 'restore', '--phrase', phrase, '--target', target],
        out,
      ),
      EXIT.ok,
    );
    assert.deepEqual(await readFile(join(target, 'sub', 'data.bin')), data);
    assert.equal(await readFile(join(target, 'note.txt'), 'utf8'), 'remember');
    assert.equal(
      await main(['--data', home2, '--json', 'snapshots'], out),
      EXIT.ok,
      'the phrase is now remembered',
    );
    assert.equal(
      (JSON.parse(lines.pop()!) as { roots: { path: string }[] }[])[0]!.roots[0]!.path,
      src,
    );
    assert.match(address, /^0x[0-9a-f]{64}$/);
  } finally {
    if (savedPass === undefined) delete process.env.FLOE_KEY_PASSPHRASE;
    else process.env.FLOE_KEY_PASSPHRASE = savedPass;
    if (savedBus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = savedBus;
    await rm(dir, { recursive: true, force: true });
  }
});
