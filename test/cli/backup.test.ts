import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import { isAlive } from '../../core/index/lock.js';
import { readLocalnetInfo } from '../../core/localnet/info.js';

const ENV = ['FLOE_KEY_PASSPHRASE', 'DBUS_SESSION_BUS_ADDRESS', 'HOME', 'XDG_DATA_HOME'] as const;

test('floe init, add, backup, snapshots; a second data directory restores from the phrase alone, on the localnet the first one started in the background; floe localnet stop ends it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-e2e-'));
  const saved = ENV.map((name) => process.env[name]);
  // No keychain in this process: the key file with a passphrase, as on a headless server.
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  // A user of our own: the background localnet lives in their home, not the real one.
  process.env.HOME = join(dir, 'user');
  process.env.XDG_DATA_HOME = join(dir, 'user', '.local', 'share');
  const userNet = join(dir, 'user', '.local', 'share', 'floe', 'localnet');
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

    // The first command started the user's localnet, which outlives it.
    const info = await readLocalnetInfo(userNet);
    assert.ok(info?.pid && isAlive(info.pid), 'the localnet runs in the background');

    // Another data directory — a new computer, as far as Floe knows — with only the phrase.
    const home2 = join(dir, 'machine2');
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

    assert.equal(await main(['localnet', 'stop'], out), EXIT.ok);
    assert.equal(lines.pop(), `Stopped the localnet in ${userNet} (pid ${info.pid})`);
    assert.equal(isAlive(info.pid), false);
    assert.equal(await main(['localnet', 'stop'], out), EXIT.ok);
    assert.equal(lines.pop(), `No localnet runs in ${userNet}`);
  } finally {
    const info = await readLocalnetInfo(userNet);
    if (info?.pid && isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
    ENV.forEach((name, i) => {
      if (saved[i] === undefined) delete process.env[name];
      else process.env[name] = saved[i];
    });
    await rm(dir, { recursive: true, force: true });
  }
});
