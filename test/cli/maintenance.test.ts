import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import { Localnet } from '../../core/localnet/network.js';
import { stopLocalnet } from '../../core/localnet/user-localnet.js';

test('status, ls, renew, check, forget, index rebuild, doctor and the data-directory lock', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-maint-'));
  const saved = {
    pass: process.env.FLOE_KEY_PASSPHRASE,
    bus: process.env.DBUS_SESSION_BUS_ADDRESS,
    home: process.env.HOME,
    xdg: process.env.XDG_DATA_HOME,
  };
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  // A user of the test's own: were the setting below missed, Floe would start the user's
  // localnet in the background, here and not in the real home (the test fails if it did).
  process.env.HOME = process.env.XDG_DATA_HOME = join(dir, 'user');
  const userNet = join(dir, 'user', 'floe', 'localnet');
  // Alive for longer than the test can take on a loaded machine; killed at the end.
  const sleeper = spawn('sleep', ['3600'], { stdio: 'ignore' });
  // Ten nodes and a hundred shards, as the user's localnet has; named by the setting.
  const net = await Localnet.start({ dir: join(dir, 'network'), nodes: 10, nShards: 100 });
  try {
    const home = join(dir, 'home');
    const src = join(dir, 'Documents');
    await mkdir(join(src, 'sub'), { recursive: true });
    await writeFile(join(src, 'sub', 'a.bin'), randomBytes(100_000));
    await writeFile(join(src, 'b.txt'), 'bee');
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const json = async <T>(...args: string[]): Promise<{ code: number; value: T }> => {
      const code = await main(['--data', home, '--json', ...args], out);
      return { code, value: JSON.parse(lines.pop()!) as T };
    };

    assert.equal(
      await main(['--data', home, 'settings', 'set', 'localnetUrl', net.url], out),
      EXIT.ok,
    );
    assert.equal((await json('init')).code, EXIT.ok);
    assert.equal(await main(['--data', home, 'add', src], out), EXIT.ok);
    assert.equal((await json('backup')).code, EXIT.ok);

    const status = await json<{
      storage: {
        liveBlobs: number;
        nextExpiryEpoch: number;
        costPerEpochFrost: string;
        walFrost: string;
      };
      lastSnapshot: object;
    }>('status');
    assert.equal(status.code, EXIT.ok);
    assert.ok(status.value.lastSnapshot);
    assert.equal(status.value.storage.liveBlobs, 3, 'a pack, an index blob and a snapshot');
    assert.ok(BigInt(status.value.storage.costPerEpochFrost) > 0n);
    assert.ok(status.value.storage.nextExpiryEpoch > 1);

    assert.equal(
      await main(['--data', home, '--json', 'ls', 'latest', '--recursive'], out),
      EXIT.ok,
    );
    const listed = lines
      .splice(-3)
      .map((l) => (JSON.parse(l) as { path: string }).path)
      .sort();
    assert.deepEqual(listed, ['b.txt', 'sub', 'sub/a.bin']);
    assert.equal(await main(['--data', home, 'ls', 'latest', 'nope'], out), EXIT.usage);

    const dry = await json<{ plan: unknown[] }>('renew', '--dry-run', '--window', '10');
    assert.equal(dry.code, EXIT.ok);
    assert.equal(dry.value.plan.length, 3, 'every live blob is within a 10-epoch window');
    const check = await json<{ problems: string[]; packsRead: number }>('check', '--read-data');
    assert.deepEqual(check.value.problems, []);
    assert.equal(check.value.packsRead, 1);

    await writeFile(join(src, 'b.txt'), 'bee, edited');
    assert.equal((await json('backup')).code, EXIT.ok);
    const forget = await json<{ forgotten: unknown[]; deleted: number }>(
      'forget',
      '--keep-last',
      '1',
    );
    assert.equal(forget.code, EXIT.ok);
    assert.equal(forget.value.forgotten.length, 1);
    assert.ok(forget.value.deleted >= 1, 'the forgotten snapshot blob was deleted');
    assert.deepEqual((await json<{ problems: string[] }>('check')).value.problems, []);

    const rebuilt = await json<{
      snapshots: number;
      packs: number;
      folders: string[];
      search: { added: number; treesRead: number; notIndexed: unknown[] };
    }>('index', 'rebuild');
    assert.equal(rebuilt.code, EXIT.ok);
    assert.equal(rebuilt.value.snapshots, 1);
    assert.deepEqual(rebuilt.value.folders, [src]);
    assert.deepEqual(
      rebuilt.value.search,
      { added: 1, dropped: 0, treesRead: 2, notIndexed: [] },
      'src and sub',
    );
    const settings = await json<{ localnetUrl: string }>('settings');
    assert.equal(settings.value.localnetUrl, net.url, 'settings outlive a rebuild');
    const searchOnly = await json<{ search: { treesRead: number } }>(
      'index',
      'rebuild',
      '--search',
    );
    assert.equal(searchOnly.value.search.treesRead, 2);
    const after = await json<{ newBytes: number; files: number }>('backup');
    assert.equal(after.value.files, 2, 'every file is read once more after a rebuild');
    assert.equal(after.value.newBytes, 0, '… and nothing is uploaded again');

    const doctor = await json<{ findings: { check: string; verdict: string }[] }>('doctor');
    assert.equal(doctor.code, EXIT.ok, JSON.stringify(doctor.value));
    assert.ok(doctor.value.findings.some((f) => f.check === 'storage nodes' && f.verdict === 'ok'));

    // A live process holding the lock keeps writers out; a dead one does not.
    await writeFile(join(home, 'floe.lock'), String(sleeper.pid));
    assert.equal(await main(['--data', home, 'backup'], out), EXIT.busy);
    assert.equal(
      await main(['--data', home, '--json', 'status'], out),
      EXIT.ok,
      'readers need no lock',
    );
    lines.pop();
    sleeper.kill('SIGKILL');
    await new Promise((r) => sleeper.once('exit', r));
    assert.equal((await json('backup')).code, EXIT.ok, 'a stale lock is taken over');
    assert.equal(existsSync(userNet), false, 'every command used the localnet named');
  } finally {
    sleeper.kill('SIGKILL');
    await net.stop();
    await stopLocalnet(userNet);
    if (saved.pass === undefined) delete process.env.FLOE_KEY_PASSPHRASE;
    else process.env.FLOE_KEY_PASSPHRASE = saved.pass;
    if (saved.bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus;
    for (const [name, value] of [
      ['HOME', saved.home],
      ['XDG_DATA_HOME', saved.xdg],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    await rm(dir, { recursive: true, force: true });
  }
});
