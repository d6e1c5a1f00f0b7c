import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { EventStreams } from '../../core/api/sse.js';
import { call, EventReader, startStack, type Stack } from './fixture.js';

describe('the event stream', () => {
  let s: Stack;
  let src: string;
  let events: EventReader;
  before(async () => {
    s = await startStack();
    src = join(s.dir, 'folders', 'src');
    await mkdir(src);
    await writeFile(join(src, 'a.txt'), 'a'.repeat(10_000));
    await writeFile(join(src, 'b.txt'), 'b');
    events = await EventReader.open(s.api);
  });
  after(async () => {
    events.close();
    await s.close();
  });

  test('is text/event-stream, uncached, and opens with a comment', async () => {
    assert.equal(events.status, 200);
    assert.equal(events.headers['content-type'], 'text/event-stream; charset=utf-8');
    assert.equal(events.headers['cache-control'], 'no-store');
    await events.next(':', (text) => text === 'connected');
  });

  test('carries folder-state, progress and backup events for a folder added through the API', async () => {
    const added = await call(s.api, 'POST', '/api/folders', { body: { path: src } });
    assert.equal(added.status, 201);
    const listed = await events.next('folder-state', (d) =>
      d.folders.some((f: { path: string }) => f.path === src),
    );
    assert.equal(listed.data.folders.length, 1);
    const progress = await events.next('progress');
    assert.equal(typeof progress.data.bytesDone, 'number');
    assert.ok('etaSeconds' in progress.data);
    const backup = await events.next('backup');
    assert.equal(backup.data.files, 2);
    assert.deepEqual(backup.data.snapshot.folders, [src]);
    await events.next('idle');
    await events.next('folder-state', (d) => d.folders[0].state === 'idle');
    // Progress never comes after the backup it belongs to.
    const names = events.all().map((e) => e.event);
    assert.ok(names.lastIndexOf('progress') < names.indexOf('backup'));
  });

  test('carries folder-state when a folder is paused', async () => {
    const id = s.index.folders()[0]!.id;
    await call(s.api, 'POST', `/api/folders/${id}/pause`);
    await events.next(
      'folder-state',
      (d) => d.folders[0].paused === true && d.folders[0].state === 'paused',
    );
    await call(s.api, 'POST', `/api/folders/${id}/resume`);
    await events.next('folder-state', (d) => d.folders[0].paused === false);
    await s.engine.settled();
  });

  test('carries restore-progress until the restore job is done', async () => {
    const [snapshot] = s.index.snapshots();
    const target = join(s.dir, 'restored');
    const a = await call(s.api, 'POST', '/api/restores', {
      body: { snapshot: snapshot!.id, target },
    });
    assert.equal(a.status, 202);
    const done = await events.next(
      'restore-progress',
      (d) => d.id === a.json.id && d.state === 'done',
    );
    assert.equal(done.data.result.files, 2);
    assert.equal(done.data.progress.filesDone, 2);
    const mine = events.all('restore-progress').filter((e) => e.data.id === a.json.id);
    assert.equal(mine.at(-1)!.data.state, 'done', 'nothing follows the final state');
    assert.equal(await readFile(join(target, 'b.txt'), 'utf8'), 'b');
  });

  test('carries a renewal event for a renewal run through the API, not for a dry run', async () => {
    const before = events.all('renewal').length;
    await call(s.api, 'POST', '/api/renewals/run', { body: { dryRun: true } });
    const run = await call(s.api, 'POST', '/api/renewals/run', { body: {} });
    assert.equal(run.status, 200);
    // Events arrive in order: once the marker is here, everything sent before it is too.
    s.engine.emit('failure', { during: 'renewal', message: 'marker' });
    await events.next('failure', (d) => d.message === 'marker');
    const renewals = events.all('renewal').slice(before);
    assert.equal(renewals.length, 1);
    assert.equal(renewals[0]!.data.epoch, run.json.epoch);
    assert.equal(renewals[0]!.data.extended, run.json.extended);
    assert.match(renewals[0]!.data.costFrost, /^\d+$/);
  });

  test('carries the engine failures', async () => {
    s.engine.emit('failure', { during: 'watch', message: 'inotify queue overflowed' });
    const failure = await events.next('failure', (d) => d.message === 'inotify queue overflowed');
    assert.equal(failure.data.during, 'watch');
  });

  test('ends when the server closes', async () => {
    const second = await EventReader.open(s.api);
    await s.api.close();
    await second.ended;
  });
});

test('an idle event stream gets a heartbeat comment every interval', async () => {
  const streams = new EventStreams(50);
  const server = createServer((_req, res) => streams.open(res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const req = request({ host: '127.0.0.1', port, path: '/', agent: false });
    req.end();
    const [res] = (await once(req, 'response')) as [import('node:http').IncomingMessage];
    res.setEncoding('utf8');
    let text = '';
    res.on('data', (chunk: string) => (text += chunk));
    while ((text.match(/: heartbeat\n\n/g) ?? []).length < 2) await once(res, 'data');
    assert.ok(text.startsWith(': connected\n\n'));
    streams.close();
    await once(res, 'end');
  } finally {
    streams.close();
    server.close();
  }
});
