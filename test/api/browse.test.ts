import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, startStack, type Stack } from './fixture.js';

/**
 * The browser UI's way of choosing folders: paths typed from the home folder (`~`,
 * `~/Documents`, `Documents`), and a folder browser over the home folder and mounted
 * volumes. HOME points at a temp dir for the whole file (each test file runs in its own
 * process), as it would for the user the daemon runs as.
 */
describe('choosing folders from the browser', () => {
  let s: Stack;
  let home: string;
  let outside: string;
  const savedHome = process.env.HOME;
  const api = (method: string, path: string, body?: unknown) =>
    call(s.api, method, path, body === undefined ? {} : { body });
  const browse = (path?: string) =>
    api('GET', path === undefined ? '/api/browse' : `/api/browse?path=${encodeURIComponent(path)}`);

  before(async () => {
    home = await realpath(await mkdtemp(join(tmpdir(), 'floe-home-')));
    outside = await realpath(await mkdtemp(join(tmpdir(), 'floe-outside-')));
    process.env.HOME = home;
    await mkdir(join(home, 'Documents', 'letters'), { recursive: true });
    await mkdir(join(home, 'Music'));
    await mkdir(join(home, '.config'));
    await writeFile(join(home, 'Documents', 'cv.txt'), 'cv');
    await writeFile(join(home, 'notes.txt'), 'a file, not a folder');
    await mkdir(Buffer.from([...Buffer.from(`${home}/caf`), 0xe9]));
    await mkdir(join(home, '100% mine'));
    await mkdir(join(outside, 'secrets'));
    await symlink(outside, join(home, 'escape'));
    await symlink(join(home, 'Music'), join(home, 'tunes'));
    s = await startStack({ startEngine: true });
  });
  after(async () => {
    await s.close();
    if (savedHome === undefined) delete process.env.HOME;
    else process.env.HOME = savedHome;
    await rm(home, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  test('a folder given as ~/Documents, Documents or ~ is the one in the home folder', async () => {
    const backedUp = once(s.engine, 'backup');
    const tilde = await api('POST', '/api/folders', { path: '~/Documents' });
    assert.equal(tilde.status, 201, tilde.text);
    assert.equal(tilde.json.path, join(home, 'Documents'));
    await backedUp;
    const relative = await api('POST', '/api/folders', { path: 'Music' });
    assert.equal(relative.status, 201, relative.text);
    assert.equal(relative.json.path, join(home, 'Music'));
    const whole = await api('POST', '/api/folders', { path: '~' });
    assert.equal(whole.status, 409, 'the home folder holds Documents, already chosen');
    assert.match(whole.json.error, new RegExp(`^${home} overlaps`));
    const other = await api('POST', '/api/folders', { path: '~someone/x' });
    assert.equal(other.status, 400);
    assert.equal(other.json.field, 'path');
  });

  test('a restore target given as ~/restored lands in the home folder', async () => {
    await s.engine.settled();
    const { snapshots } = (await api('GET', '/api/snapshots')).json;
    const a = await api('POST', '/api/restores', {
      snapshot: snapshots[0].id,
      folder: join(home, 'Documents'),
      target: '~/restored',
    });
    assert.equal(a.status, 202, a.text);
    assert.equal(a.json.target, join(home, 'restored'));
    for (let job = a.json; job.state === 'running'; await sleep(50))
      job = (await api('GET', `/api/restores/${a.json.id}`)).json;
    assert.equal(await readFile(join(home, 'restored', 'cv.txt'), 'utf8'), 'cv');
  });

  test('the folder browser lists the folders of the home folder, with the roots it may go to', async () => {
    const a = await browse();
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.path, home);
    assert.equal(a.json.parent, null, 'nothing above the home folder is offered');
    assert.deepEqual(a.json.roots[0], { name: 'Home', path: home, kind: 'home' });
    const names = a.json.folders.map((f: { name: string }) => f.name);
    assert.deepEqual(names, [
      '.config',
      '100%25 mine',
      'caf%E9',
      'Documents',
      'Music',
      'restored',
      'tunes',
    ]);
    const byName = new Map(a.json.folders.map((f: { name: string }) => [f.name, f]));
    assert.deepEqual(byName.get('.config'), {
      name: '.config',
      path: join(home, '.config'),
      hidden: true,
      symlink: false,
    });
    assert.equal((byName.get('100%25 mine') as { path: string }).path, join(home, '100% mine'));
    assert.equal(
      (byName.get('caf%E9') as { path: string | null }).path,
      null,
      'a name that is not UTF-8 is shown, but cannot be chosen as a folder path',
    );
    assert.equal((byName.get('tunes') as { symlink: boolean }).symlink, true);
    assert.ok(!names.includes('escape'), 'a symlink that leads out of the home folder is left out');
    assert.ok(!names.includes('notes.txt'), 'files are not listed');
  });

  test('the folder browser goes into folders (~ and relative paths too) and up to the root it started from', async () => {
    const docs = await browse('~/Documents');
    assert.equal(docs.status, 200, docs.text);
    assert.equal(docs.json.path, join(home, 'Documents'));
    assert.equal(docs.json.parent, home);
    assert.deepEqual(
      docs.json.folders.map((f: { name: string }) => f.name),
      ['letters'],
    );
    assert.equal((await browse('Documents')).json.path, join(home, 'Documents'));
    const tunes = await browse(join(home, 'tunes'));
    assert.equal(tunes.status, 200, 'a symlink to a folder inside the home folder can be entered');
  });

  test('the folder browser refuses what is outside the home folder and mounted volumes', async () => {
    for (const path of [
      '/etc',
      '/',
      outside,
      join(home, 'escape'),
      join(home, 'escape', 'secrets'),
      '~/..',
      `${home}/../${outside.split('/').pop()}`,
    ]) {
      const a = await browse(path);
      assert.equal(a.status, 403, `${path}: ${a.text}`);
      assert.deepEqual(Object.keys(a.json), ['error'], 'nothing of what is there is told');
    }
    assert.equal((await browse('~/nothing')).status, 404);
    assert.equal((await browse('~/notes.txt')).status, 400);
    assert.equal((await browse('~nobody')).status, 400);
    const unauthenticated = await call(s.api, 'GET', '/api/browse', { token: null });
    assert.equal(unauthenticated.status, 401);
  });
});
