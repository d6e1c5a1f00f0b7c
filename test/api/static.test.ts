import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../core/api/static-files.js';
import { call, rawRequest, startStack, type Stack } from './fixture.js';

const SECRET = 'the contents of a file outside the UI directory';

describe('the UI files served beside the API', () => {
  let s: Stack;
  let dir: string;
  let port: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'floe-static-'));
    const ui = join(dir, 'ui');
    await mkdir(join(ui, 'assets'), { recursive: true });
    await writeFile(join(ui, 'index.html'), '<!doctype html><title>Floe</title>');
    await writeFile(join(ui, 'app.js'), 'console.log(1)');
    await writeFile(join(ui, 'assets', 'style.css'), 'body{}');
    await writeFile(join(ui, 'assets', 'logo.svg'), '<svg/>');
    await writeFile(join(ui, 'assets', 'icon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(join(ui, 'assets', 'blob.bin'), 'x');
    await writeFile(join(ui, '.env'), SECRET);
    await writeFile(join(dir, 'outside.txt'), SECRET);
    await symlink(join(dir, 'outside.txt'), join(ui, 'link.txt'));
    s = await startStack({ staticDir: ui });
    port = new URL(s.api.url).port;
  });
  after(async () => {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('GET / serves index.html without a token, under a strict CSP', async () => {
    const a = await call(s.api, 'GET', '/', { token: null });
    assert.equal(a.status, 200);
    assert.equal(a.text, '<!doctype html><title>Floe</title>');
    assert.equal(a.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(
      a.headers['content-security-policy'],
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
    );
    assert.equal(a.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.equal(a.headers['x-frame-options'], 'DENY');
    assert.equal(a.headers['x-content-type-options'], 'nosniff');
    assert.equal(a.headers['cache-control'], 'no-store');
  });

  test('files are served with their content types', async () => {
    const types: [string, string][] = [
      ['/app.js', 'text/javascript; charset=utf-8'],
      ['/assets/style.css', 'text/css; charset=utf-8'],
      ['/assets/logo.svg', 'image/svg+xml'],
      ['/assets/icon.png', 'image/png'],
      ['/assets/blob.bin', 'application/octet-stream'],
    ];
    for (const [path, type] of types) {
      const a = await call(s.api, 'GET', path, { token: null });
      assert.equal(a.status, 200, path);
      assert.equal(a.headers['content-type'], type, path);
    }
    assert.equal((await call(s.api, 'GET', '/app.js')).text, 'console.log(1)');
  });

  test("the UI's own routes fall back to index.html; missing files are 404", async () => {
    const route = await call(s.api, 'GET', '/snapshots/abc?tab=files', { token: null });
    assert.equal(route.status, 200);
    assert.match(route.text, /<title>Floe/);
    assert.equal((await call(s.api, 'GET', '/missing.js', { token: null })).status, 404);
  });

  test('HEAD answers the headers alone; other methods are 405', async () => {
    const head = await call(s.api, 'HEAD', '/app.js', { token: null });
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '14');
    assert.equal(head.text, '');
    const post = await call(s.api, 'POST', '/', { token: null, body: {} });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  test('paths leading out of the UI directory are refused, however they are written', async () => {
    for (const path of [
      '/../outside.txt',
      '/assets/../../outside.txt',
      '/%2e%2e/outside.txt',
      '/%2E%2E/outside.txt',
      '/..%2foutside.txt',
      '/assets/..%2f..%2foutside.txt',
      '/..%5coutside.txt',
      '/..\\outside.txt',
      '/%00',
    ]) {
      const a = await rawRequest(
        s.api,
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
      );
      assert.ok(a.status === 403 || a.status === 400, `${path}: ${a.status}`);
      assert.ok(!a.text.includes(SECRET), path);
    }
  });

  test('a symlink out of the UI directory and hidden files are not served', async () => {
    for (const path of ['/link.txt', '/.env']) {
      const a = await call(s.api, 'GET', path, { token: null });
      assert.equal(a.status, 404, path);
      assert.ok(!a.text.includes(SECRET), path);
    }
  });

  test('the Host and Origin checks hold for the UI files too', async () => {
    assert.equal((await call(s.api, 'GET', '/', { host: `evil.example:${port}` })).status, 403);
    assert.equal(
      (await call(s.api, 'GET', '/', { headers: { Origin: 'http://evil.example' } })).status,
      403,
    );
    const noHost = await rawRequest(s.api, 'GET / HTTP/1.0\r\n\r\n');
    assert.equal(noHost.status, 403, 'HTTP/1.0 without Host');
    assert.ok(!noHost.text.includes('<title>'));
  });
});
