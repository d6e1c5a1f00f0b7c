import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import type { FolderRow } from '../../core/index/index.js';
import type { BackupResult } from '../../core/sync/backup.js';
import { startLocalnetProcess } from '../support/localnet-process.js';

interface Listed {
  path: string;
  type: string;
}

/** A data directory on a localnet of its own, driven through `floe` as a user would. */
async function cliHome(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-folders-'));
  const saved = {
    pass: process.env.FLOE_KEY_PASSPHRASE,
    bus: process.env.DBUS_SESSION_BUS_ADDRESS,
  };
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  const home = join(dir, 'home');
  const net = await startLocalnetProcess(join(home, 'localnet'));
  t.after(async () => {
    await net.stop();
    process.env.FLOE_KEY_PASSPHRASE = saved.pass;
    process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus;
    if (saved.pass === undefined) delete process.env.FLOE_KEY_PASSPHRASE;
    if (saved.bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    await rm(dir, { recursive: true, force: true });
  });
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  const run = (...args: string[]) => main(['--data', home, ...args], out);
  const json = async <T>(...args: string[]): Promise<{ code: number; value: T }> => {
    lines.length = 0;
    const code = await main(['--data', home, '--json', ...args], out);
    return { code, value: JSON.parse(lines.at(-1)!) as T };
  };
  const ls = async (folder: string): Promise<string[]> => {
    lines.length = 0;
    assert.equal(await run('--json', 'ls', 'latest', '-r', '--folder', folder), EXIT.ok);
    return lines.map((l) => (JSON.parse(l) as Listed).path).sort();
  };
  const folders = async () =>
    (await json<{ folders: FolderRow[] }>('status')).value.folders.map((f) => [f.path, f] as const);
  return { dir, run, json, ls, folders, lines };
}

test('a missing folder never stops the others, keeps its last tree, and comes back', async (t) => {
  const { dir, run, json, ls, folders } = await cliHome(t);
  const a = join(dir, 'A');
  const b = join(dir, 'B');
  await mkdir(a);
  await mkdir(b);
  await writeFile(join(a, 'a.txt'), 'alpha');
  await writeFile(join(b, 'b.txt'), 'beta');
  assert.equal((await json('init')).code, EXIT.ok);
  assert.equal(await run('add', a), EXIT.ok);
  assert.equal(await run('add', b), EXIT.ok);
  assert.equal(await run('backup'), EXIT.ok);

  // A's drive is unplugged; B is edited.
  await rm(a, { recursive: true });
  await writeFile(join(b, 'b.txt'), 'beta, edited');
  const second = await json<BackupResult>('backup');
  assert.equal(second.code, EXIT.failure, 'the run says a folder was not backed up');
  assert.equal(second.value.unchanged, false, "B's edit is in a new snapshot");
  assert.deepEqual(
    second.value.folders.map((f) => [f.path, f.outcome]),
    [
      [a, 'missing'],
      [b, 'saved'],
    ],
  );
  assert.deepEqual(await ls(a), ['a.txt'], 'the missing folder is not recorded as emptied');
  const states = new Map(await folders());
  assert.equal(states.get(a)!.state, 'missing');
  assert.match(states.get(a)!.lastError!, /cannot be read/);
  assert.equal(states.get(b)!.state, 'idle');
  assert.equal(states.get(b)!.dirty, false);
  assert.equal((await json('status')).code, EXIT.failure, 'status says something needs you');

  // The drive is back: the folder is backed up again.
  await mkdir(a);
  await writeFile(join(a, 'a.txt'), 'alpha, again');
  assert.equal(await run('backup'), EXIT.ok);
  assert.equal(new Map(await folders()).get(a)!.state, 'idle');
  assert.equal((await json('status')).code, EXIT.ok);
});

test('a folder emptied or mostly deleted is held until the deletions are confirmed', async (t) => {
  const { dir, run, json, ls, folders } = await cliHome(t);
  const photos = join(dir, 'Photos');
  const notes = join(dir, 'Notes');
  await mkdir(photos);
  await mkdir(notes);
  for (let i = 0; i < 12; i++) await writeFile(join(photos, `p${i}.jpg`), `photo ${i}`);
  await writeFile(join(notes, 'n.txt'), 'note');
  assert.equal((await json('init')).code, EXIT.ok);
  assert.equal(await run('add', photos), EXIT.ok);
  assert.equal(await run('add', notes), EXIT.ok);
  assert.equal(await run('backup'), EXIT.ok);

  // Eleven of twelve photos gone (more than half), and a note edited.
  for (let i = 1; i < 12; i++) await rm(join(photos, `p${i}.jpg`));
  await writeFile(join(notes, 'n.txt'), 'note, edited');
  const held = await json<BackupResult>('backup');
  assert.equal(held.code, EXIT.failure);
  assert.deepEqual(
    held.value.folders.map((f) => [f.path, f.outcome]),
    [
      [photos, 'held'],
      [notes, 'saved'],
    ],
  );
  assert.equal((await ls(photos)).length, 12, 'no snapshot records the loss');
  const photosRow = new Map(await folders()).get(photos)!;
  assert.equal(photosRow.state, 'held');
  assert.deepEqual(photosRow.detail.held, { deleted: 11, total: 12 });
  assert.equal(photosRow.dirty, true, 'held deletions are changes no snapshot holds');

  // The next run still holds it; the user's confirmation records it.
  assert.equal(await run('backup'), EXIT.failure);
  assert.equal(await run('backup', '--confirm-deletions', photos), EXIT.ok);
  assert.deepEqual(await ls(photos), ['p0.jpg']);
  assert.equal(new Map(await folders()).get(photos)!.state, 'idle');

  // An emptied folder is held however small it is.
  await rm(join(notes, 'n.txt'));
  assert.equal(await run('backup'), EXIT.failure);
  assert.equal(new Map(await folders()).get(notes)!.state, 'held');
  assert.deepEqual(await ls(notes), ['n.txt']);
});

test('floe add refuses the whole file system, the data directory and overlapping folders', async (t) => {
  const { dir, run, json } = await cliHome(t);
  assert.equal((await json('init')).code, EXIT.ok);
  const docs = join(dir, 'Documents');
  await mkdir(join(docs, 'inner'), { recursive: true });
  assert.equal(await run('add', '/'), EXIT.usage);
  assert.equal(await run('add', join(dir, 'home')), EXIT.usage, 'the data directory itself');
  assert.equal(await run('add', dir), EXIT.usage, 'a folder holding the data directory');
  assert.equal(await run('add', docs), EXIT.ok);
  assert.equal(await run('add', join(docs, 'inner')), EXIT.usage, 'inside a chosen folder');
  assert.equal(await run('add', docs), EXIT.usage, 'twice');
});
