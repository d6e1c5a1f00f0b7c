import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, startStack, type Stack } from './fixture.js';

describe('search and versions through the API, on a running engine', () => {
  let s: Stack;
  let src: string;
  const times: string[] = [];
  const api = (method: string, path: string, body?: unknown) =>
    call(s.api, method, path, body === undefined ? {} : { body });
  const ok = async (method: string, path: string, body?: unknown) => {
    const a = await api(method, path, body);
    assert.ok(a.status < 300, `${method} ${path}: ${a.status} ${a.text}`);
    return a.json;
  };
  const search = (params: Record<string, string>) =>
    ok('GET', `/api/search?${new URLSearchParams(params)}`);
  const finished = async (id: string) => {
    for (; ; await sleep(50)) {
      const job = await ok('GET', `/api/restores/${id}`);
      if (job.state === 'running') continue;
      assert.equal(job.state, 'done', job.error);
      return job;
    }
  };
  const backupNow = async () => {
    await s.engine.settled();
    const backedUp = once(s.engine, 'backup');
    await ok('POST', '/api/backup');
    await backedUp;
    await s.engine.settled();
    times.push((await ok('GET', '/api/snapshots')).snapshots[0].time);
  };

  before(async () => {
    s = await startStack({ startEngine: true });
    src = join(s.dir, 'folders', 'src');
    await mkdir(join(src, 'notes'), { recursive: true });
    await writeFile(join(src, 'Report.txt'), 'one');
    await writeFile(join(src, '50% off.txt'), 'sale');
    await writeFile(join(src, 'notes', 'my notes.md'), 'notes');
    await writeFile(Buffer.concat([Buffer.from(`${src}/caf`), Buffer.from([0xe9])]), 'latin-1');
    const added = once(s.engine, 'backup');
    await ok('POST', '/api/folders', { path: src });
    await added;
    await s.engine.settled();
    times.push((await ok('GET', '/api/snapshots')).snapshots[0].time);
    await writeFile(join(src, 'Report.txt'), 'two, longer');
    await backupNow();
    await rm(join(src, 'Report.txt'));
    await backupNow();
    await writeFile(join(src, 'Report.txt'), 'three');
    await backupNow();
  });
  after(() => s.close());

  test('GET /api/search finds a name in every snapshot, one result per path with its versions', async () => {
    const found = await search({ q: 'REPORT' });
    assert.equal(found.mode, 'substring');
    assert.equal(found.total, 1);
    assert.equal(found.snapshotsSearched, 4);
    const [r] = found.results;
    assert.equal(r.folder, src);
    assert.equal(r.path, 'Report.txt');
    assert.equal(r.versions, 3);
    assert.equal(r.snapshots, 3);
    assert.equal(r.inLatest, true);
    assert.equal(r.last.size, 'three'.length);
  });

  test('names with odd bytes, % and spaces are found, in the text form the rest of the API takes', async () => {
    assert.deepEqual(
      (await search({ q: 'caf%E9' })).results.map((r: { path: string }) => r.path),
      ['caf%E9'],
    );
    assert.deepEqual(
      (await search({ q: '50%' })).results.map((r: { path: string }) => r.path),
      ['50%25 off.txt'],
    );
    assert.deepEqual(
      (await search({ q: '*.MD' })).results.map((r: { path: string }) => r.path),
      ['notes/my notes.md'],
    );
    assert.equal((await search({ q: 'notes', match: 'glob' })).results[0].path, 'notes');
    assert.equal((await search({ q: 'notes', type: 'file' })).total, 1);
    assert.equal((await search({ q: 'o', under: 'notes' })).total, 1);
  });

  test('a path a search returns goes back byte for byte to GET /api/versions and a restore', async () => {
    const [found] = (await search({ q: 'CAF%e9' })).results;
    const v = await ok('GET', `/api/versions?path=${encodeURIComponent(found.path)}`);
    assert.equal(v.name, 'caf%E9');
    assert.equal(v.versions.length, 1);
    assert.equal(v.versions[0].restore.path, 'caf%E9');
    const target = join(s.dir, 'restored-odd');
    const job = await ok('POST', '/api/restores', { ...v.versions[0].restore, target });
    await finished(job.id);
    const restored = Buffer.concat([Buffer.from(`${target}/caf`), Buffer.from([0xe9])]);
    assert.equal(await readFile(restored, 'utf8'), 'latin-1');
  });

  test('from and to keep to the snapshots taken between them', async () => {
    const since = await search({ q: 'report', from: times[2]! });
    assert.equal(since.snapshotsSearched, 2);
    assert.equal(since.results[0].versions, 1);
    const upTo = await search({ q: 'report', to: times[1]! });
    assert.equal(upTo.results[0].versions, 2);
  });

  test('bad queries are refused with 400 and the field at fault', async () => {
    const cases: [string, string][] = [
      ['', 'q'],
      ['q=', 'q'],
      ['q=docs%2Freport', 'q'],
      ['q=%5Babc', 'q'],
      ['q=x&from=yesterday', 'from'],
      ['q=x&from=2024-05-03&to=2024-05-01', 'to'],
      ['q=x&limit=0', 'limit'],
      ['q=x&limit=many', 'limit'],
      ['q=x&match=regex', 'match'],
      ['q=x&q=y', 'q'],
      ['q=x&under=%25zz', 'under'],
      ['q=x&colour=red', 'colour'],
    ];
    for (const [query, field] of cases) {
      const a = await api('GET', `/api/search?${query}`);
      assert.equal(a.status, 400, `${query}: ${a.text}`);
      assert.equal(a.json.field, field, query);
    }
  });

  test('GET /api/versions: the versions of a file, its gap while deleted, and restoring an older one', async () => {
    const v = await ok('GET', '/api/versions?path=Report.txt');
    assert.equal(v.folder, src);
    assert.deepEqual(
      v.versions.map((x: { size: number }) => x.size),
      [5, 11, 3],
    );
    assert.deepEqual(
      v.history.map((h: { version: number | null }) => h.version),
      [2, 1, null, 0],
    );
    assert.deepEqual(
      v.changes.map((c: { kind: string }) => c.kind),
      ['recreated', 'deleted', 'changed', 'created'],
    );
    const oldest = v.versions[2];
    assert.equal(oldest.snapshots.length, 1);
    const target = join(s.dir, 'restored-oldest');
    const job = await ok('POST', '/api/restores', { ...oldest.restore, target });
    await finished(job.id);
    assert.equal(await readFile(join(target, 'Report.txt'), 'utf8'), 'one');
  });

  test('GET /api/versions of a folder is its history: the snapshots where it changed', async () => {
    const whole = await ok('GET', `/api/versions?folder=${encodeURIComponent(src)}`);
    assert.equal(whole.path, '');
    assert.deepEqual(
      whole.changes.map((c: { kind: string; entries: object }) => [c.kind, c.entries]),
      [
        ['changed', { added: 1, removed: 0, modified: 0 }],
        ['changed', { added: 0, removed: 1, modified: 0 }],
        ['changed', { added: 0, removed: 0, modified: 1 }],
        ['created', { added: 4, removed: 0, modified: 0 }],
      ],
    );
    const notes = await ok('GET', '/api/versions?path=notes');
    assert.equal(notes.versions.length, 1);
    assert.equal(notes.versions[0].entries, 1);
    assert.equal((await api('GET', '/api/versions?path=nope')).status, 404);
    assert.equal((await api('GET', '/api/versions?folder=/elsewhere&path=x')).status, 404);
    assert.equal((await api('GET', '/api/versions?path=..')).json.field, 'path');
  });

  test('a snapshot that cannot be read is left out of the answers, which say so', async () => {
    const [newest] = s.index.snapshots();
    const lost = {
      ...newest!.record,
      id: 'f'.repeat(32),
      time: '2000-01-01T00:00:00.000Z',
      roots: [{ path: src, tree: 'e'.repeat(64) }],
    };
    s.index.addSnapshot(lost, null, null);
    try {
      const found = await search({ q: 'report' });
      assert.equal(found.results[0].versions, 3);
      assert.deepEqual(
        found.notIndexed.map((n: { snapshot: string }) => n.snapshot),
        [lost.id],
      );
      const v = await ok('GET', '/api/versions?path=Report.txt');
      assert.equal(v.notIndexed.length, 1, 'not read again for every query, still listed');
    } finally {
      s.index.setSnapshotRetained(lost.id, false);
    }
    assert.deepEqual((await search({ q: 'report' })).notIndexed, []);
  });

  test('a search index that lags (an index rebuilt, a new machine) is caught up by the next search', async () => {
    s.index.transaction(() => s.index.search.clear());
    const found = await search({ q: 'report' });
    assert.equal(found.results[0].versions, 3);
    assert.equal(s.index.search.counts().snapshots, 4);
  });

  test('an older version restored to where it was: the newer local copy is kept and said so, then kept beside it, or replaced, as chosen', async () => {
    const v = await ok('GET', '/api/versions?path=Report.txt');
    const oldest = v.versions[2].restore;
    const report = join(src, 'Report.txt');
    const start = async (body: object) => {
      const job = await ok('POST', '/api/restores', { ...oldest, ...body });
      assert.equal(job.target, src, 'no target: into the folder, the file at its own place');
      assert.equal(job.toOriginalPlace, true);
      return finished(job.id);
    };

    const skipped = await start({});
    assert.equal(skipped.conflict, 'skip');
    assert.equal(skipped.result.files, 0);
    assert.deepEqual(
      skipped.result.skipped.map((c: { path: string; kind: string }) => [c.path, c.kind]),
      [[report, 'newer']],
    );
    assert.equal(await readFile(report, 'utf8'), 'three');

    const both = await start({ conflict: 'keep-both' });
    assert.equal(both.result.files, 1);
    const [renamed] = both.result.renamed;
    assert.equal(renamed.path, report);
    assert.match(renamed.to, /\/Report \(restored \d{4}-\d{2}-\d{2}\)\.txt$/);
    assert.equal(await readFile(renamed.to, 'utf8'), 'one');
    assert.equal(await readFile(report, 'utf8'), 'three');

    const replaced = await start({ overwrite: true });
    assert.equal(replaced.conflict, 'replace', 'overwrite is the older word for replace');
    assert.deepEqual(
      replaced.result.replaced.map((c: { path: string }) => c.path),
      [report],
    );
    assert.equal(await readFile(report, 'utf8'), 'one');

    for (const [body, field] of [
      [{ conflict: 'merge' }, 'conflict'],
      [{ conflict: 'keep-both', overwrite: true }, 'overwrite'],
    ] as const) {
      const a = await api('POST', '/api/restores', { ...oldest, ...body });
      assert.equal(a.status, 400, a.text);
      assert.equal(a.json.field, field);
    }
  });
});
