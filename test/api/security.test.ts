import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ApiServer } from '../../core/api/server.js';
import { readSettings } from '../../core/index/settings.js';
import { call, EventReader, rawRequest, startStack, type Answer, type Stack } from './fixture.js';

describe('the API refuses what it must', () => {
  let s: Stack;
  let folder: string;
  let port: string;
  before(async () => {
    s = await startStack();
    folder = join(s.dir, 'folders', 'docs');
    await mkdir(folder);
    port = new URL(s.api.url).port;
  });
  after(() => s.close());

  const addFolder = (o: Parameters<typeof call>[3] = {}) =>
    call(s.api, 'POST', '/api/folders', { body: { path: folder }, ...o });
  const noFolders = () => assert.deepEqual(s.index.folders(), []);
  const noCors = (a: Answer) =>
    assert.deepEqual(
      Object.keys(a.headers).filter((h) => h.startsWith('access-control-')),
      [],
    );

  test('the token is 32 random bytes in base64url, new for each server', async () => {
    assert.match(s.api.token, /^[A-Za-z0-9_-]{43}$/);
    const other = await ApiServer.start({
      engine: s.engine,
      index: s.index,
      client: s.client,
      keys: s.keys,
      dataDir: join(s.dir, 'data'),
      network: 'localnet',
    });
    try {
      assert.notEqual(other.token, s.api.token);
      assert.notEqual(other.url, s.api.url, 'a port of its own');
      assert.equal((await call(other, 'GET', '/api/status', { token: s.api.token })).status, 401);
    } finally {
      await other.close();
    }
  });

  test('a request without a token is refused with 401 and changes nothing', async () => {
    const a = await addFolder({ token: null });
    assert.equal(a.status, 401);
    assert.equal(a.headers['www-authenticate'], 'Bearer');
    noFolders();
  });

  test('a wrong token is refused with 401', async () => {
    assert.equal((await call(s.api, 'GET', '/api/status', { token: 'A'.repeat(43) })).status, 401);
    assert.equal(
      (await call(s.api, 'GET', '/api/status', { token: s.api.token + 'x' })).status,
      401,
    );
    assert.equal(
      (await call(s.api, 'GET', '/api/status', { headers: { Authorization: s.api.token } })).status,
      401,
      'the token without the Bearer scheme',
    );
  });

  test('a token in the query string counts only for the event stream', async () => {
    const a = await call(s.api, 'GET', `/api/status?token=${s.api.token}`, { token: null });
    assert.equal(a.status, 401);
    const events = await EventReader.open(s.api, `/api/events?token=${s.api.token}`);
    assert.equal(events.status, 200);
    events.close();
    const refused = await EventReader.open(s.api, '/api/events?token=wrong');
    assert.equal(refused.status, 401);
    refused.close();
  });

  test('without the token, not even which API paths exist is revealed', async () => {
    assert.equal((await call(s.api, 'GET', '/api/no-such-thing', { token: null })).status, 401);
    assert.equal((await call(s.api, 'GET', '/api/no-such-thing')).status, 404);
  });

  test('a Host other than 127.0.0.1 or localhost at this port is refused (DNS rebinding)', async () => {
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      '127.0.0.1:1',
      `10.0.0.1:${port}`,
    ]) {
      const a = await addFolder({ host });
      assert.equal(a.status, 403, host);
    }
    // Node itself answers a Host-less HTTP/1.1 request with 400; HTTP/1.0 may omit Host.
    assert.equal((await addFolder({ host: null })).status, 400, 'no Host at all');
    const body = JSON.stringify({ path: folder });
    const old = await rawRequest(
      s.api,
      `POST /api/folders HTTP/1.0\r\nAuthorization: Bearer ${s.api.token}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.equal(old.status, 403, 'HTTP/1.0 without Host');
    noFolders();
    assert.equal(
      (await call(s.api, 'GET', '/api/status', { host: `localhost:${port}` })).status,
      200,
    );
    assert.equal(
      (await call(s.api, 'GET', '/api/status', { host: `127.0.0.1:${port}` })).status,
      200,
    );
  });

  test('a foreign Origin is refused even with the token (CSRF), and changes nothing', async () => {
    for (const origin of [
      'http://evil.example',
      `http://evil.example:${port}`,
      `https://127.0.0.1:${port}`,
      'http://127.0.0.1:1',
      'null',
    ]) {
      const a = await addFolder({ headers: { Origin: origin } });
      assert.equal(a.status, 403, origin);
      noCors(a);
    }
    noFolders();
    for (const origin of [`http://127.0.0.1:${port}`, `http://localhost:${port}`])
      assert.equal(
        (await call(s.api, 'GET', '/api/folders', { headers: { Origin: origin } })).status,
        200,
      );
  });

  test('OPTIONS is 405 and no answer ever carries CORS headers', async () => {
    const a = await call(s.api, 'OPTIONS', '/api/folders', {
      headers: { 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(a.status, 405);
    noCors(a);
    noCors(await call(s.api, 'GET', '/api/folders'));
    noCors(await call(s.api, 'GET', '/api/folders', { token: null }));
  });

  test('every answer says no-store and nosniff', async () => {
    for (const a of [
      await call(s.api, 'GET', '/api/settings'),
      await call(s.api, 'GET', '/api/settings', { token: null }),
      await call(s.api, 'GET', '/api/nothing'),
      await addFolder({ host: 'evil.example' }),
    ]) {
      assert.equal(a.headers['cache-control'], 'no-store');
      assert.equal(a.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('a body over 64 KiB is refused with 413 and changes nothing', async () => {
    const before = readSettings(s.index);
    const huge = { excludes: { presets: [], patterns: Array(7000).fill('*.tmp-something') } };
    const declared = await call(s.api, 'PUT', '/api/settings', { body: huge });
    assert.equal(declared.status, 413);
    // No Content-Length: the limit holds while the body streams in.
    const chunked = await call(s.api, 'PUT', '/api/settings', {
      body: huge,
      chunked: true,
    });
    assert.equal(chunked.status, 413);
    assert.deepEqual(readSettings(s.index), before);
  });

  test('a body that is not application/json is refused with 415 and changes nothing', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data']) {
      const a = await call(s.api, 'POST', '/api/folders', {
        rawBody: JSON.stringify({ path: folder }),
        headers: { 'Content-Type': type },
      });
      assert.equal(a.status, 415, type);
    }
    const none = await call(s.api, 'POST', '/api/folders', {
      rawBody: JSON.stringify({ path: folder }),
    });
    assert.equal(none.status, 415, 'no Content-Type');
    noFolders();
  });

  test('a body that is not JSON is refused with 400', async () => {
    const a = await call(s.api, 'POST', '/api/folders', {
      rawBody: '{"path": ',
      headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(a.status, 400);
    assert.match(a.json.error, /not valid JSON/);
    noFolders();
  });

  test('a body that breaks its schema is refused with 400 naming the field, and changes nothing', async () => {
    const settings = readSettings(s.index);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/folders', {}, 'path'],
      ['POST', '/api/folders', { path: 'relative/dir' }, 'path'],
      ['POST', '/api/folders', { path: 42 }, 'path'],
      ['POST', '/api/folders', { path: folder, recursive: true }, 'recursive'],
      ['POST', '/api/folders', [folder], ''],
      ['POST', '/api/folders', { path: join(s.dir, 'missing') }, 'path'],
      ['PUT', '/api/settings', { account: '0xabc' }, 'account'],
      [
        'PUT',
        '/api/settings',
        { renewal: { windowEpochs: 0, termEpochs: 5 } },
        'renewal.windowEpochs',
      ],
      ['PUT', '/api/settings', { renewal: { windowEpochs: 2 } }, 'renewal.termEpochs'],
      ['PUT', '/api/settings', { retention: { daily: -1 } }, 'retention.daily'],
      ['PUT', '/api/settings', { retention: { daily: 1.5 } }, 'retention.daily'],
      ['PUT', '/api/settings', { retention: { last: 0 } }, 'retention'],
      [
        'PUT',
        '/api/settings',
        { excludes: { presets: ['everything'], patterns: [] } },
        'excludes.presets[0]',
      ],
      [
        'PUT',
        '/api/settings',
        { excludes: { presets: [], patterns: ['a\n!b'] } },
        'excludes.patterns[0]',
      ],
      // One bad field spoils the request: the good one before it is not applied either.
      ['PUT', '/api/settings', { startAtLogin: true, network: 'moon' }, 'network'],
      ['PUT', '/api/settings', { packMaxWaitMs: '30s' }, 'packMaxWaitMs'],
      ['PUT', '/api/settings', { uploadRelayUrl: 'file:///etc/passwd' }, 'uploadRelayUrl'],
      ['PUT', '/api/settings', { uploadRelayUrl: 'https://relay\nx' }, 'uploadRelayUrl'],
      ['PUT', '/api/settings', { uploadRelayMaxTipMist: -1 }, 'uploadRelayMaxTipMist'],
      // No target is a restore to where it was; a conflict choice is one of three.
      ['POST', '/api/restores', { snapshot: 'abc', conflict: 'merge' }, 'conflict'],
      // A relative target is a path from the home folder (test/api/browse.test.ts); empty is none.
      ['POST', '/api/restores', { snapshot: 'abc', target: '' }, 'target'],
      ['POST', '/api/restores', { snapshot: 'abc', target: 'a\0b' }, 'target'],
      ['POST', '/api/renewals/run', { dryRun: 'yes' }, 'dryRun'],
      ['POST', '/api/backup', { now: true }, 'now'],
    ];
    for (const [method, path, body, field] of cases) {
      const a = await call(s.api, method, path, { body });
      assert.equal(a.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      assert.equal(a.json.field, field, a.json.error);
      assert.ok(a.json.error.startsWith(field || 'the request body'), a.json.error);
    }
    noFolders();
    assert.deepEqual(readSettings(s.index), settings);
    assert.equal(s.index.getSetting('account', null), null);
  });

  test('unknown routes are 404 and known ones under the wrong method 405 with Allow', async () => {
    assert.equal((await call(s.api, 'GET', '/api/nothing')).status, 404);
    assert.equal((await call(s.api, 'GET', '/api/folders/1/explode')).status, 404);
    assert.equal((await call(s.api, 'GET', '/')).status, 404, 'no static directory given');
    const a = await call(s.api, 'DELETE', '/api/settings');
    assert.equal(a.status, 405);
    assert.equal(a.headers.allow, 'GET, PUT');
    assert.equal((await call(s.api, 'GET', '/api/folders/1/pause')).headers.allow, 'POST');
  });

  test('errors are a message, never a stack trace', async () => {
    for (const a of [
      await call(s.api, 'GET', '/api/nothing'),
      await call(s.api, 'POST', '/api/folders', { body: { path: 7 } }),
      await call(s.api, 'GET', '/api/snapshots/nope/tree'),
      await call(s.api, 'DELETE', '/api/folders/99'),
    ]) {
      assert.ok(a.status >= 400);
      assert.deepEqual(
        Object.keys(a.json).filter((k) => k !== 'field' && k !== 'problems'),
        ['error'],
      );
      assert.doesNotMatch(a.text, /\n\s+at |\.ts:\d+/);
    }
  });

  test('the server binds loopback only and refuses a short token', async () => {
    const base = {
      engine: s.engine,
      index: s.index,
      client: s.client,
      keys: s.keys,
      dataDir: join(s.dir, 'data'),
      network: 'localnet',
    };
    await assert.rejects(ApiServer.start({ ...base, host: '0.0.0.0' as never }), /loopback/);
    await assert.rejects(ApiServer.start({ ...base, token: 'secret' }), /at least/);
    assert.equal(new URL(s.api.url).hostname, '127.0.0.1');
  });
});
