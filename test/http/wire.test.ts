import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpError, readBody } from '../../core/http/wire.js';

/** A loopback server that reads each request's body under `limit` and reports it. */
async function bodyServer(limit: number) {
  const bodies: (Uint8Array | Error)[] = [];
  const server = createServer((req, res) => {
    readBody(req, limit, () => new HttpError(413, 'too large')).then(
      (body) => {
        bodies.push(body);
        res.end('ok');
      },
      (error: Error) => {
        bodies.push(error);
        res.writeHead(413, { connection: 'close' }).end();
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const send = (pieces: Buffer[]) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      for (const p of pieces) req.write(p);
      req.end();
    });
  return { bodies, send, close: () => new Promise((r) => server.close(r)) };
}

test('a body arrives whole, in memory of its own, however it was sent', async () => {
  const s = await bodyServer(8 * 1024 * 1024);
  try {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const pieces = [big.subarray(0, 1000), big.subarray(1000, 2_000_000), big.subarray(2_000_000)];
    for (const sent of [pieces, [Buffer.from('ten bytes!')], []]) {
      assert.equal(await s.send(sent), 200);
      const body = s.bodies.at(-1) as Uint8Array;
      assert.ok(Buffer.from(body).equals(Buffer.concat(sent)));
      // Its own buffer, exactly: a codec worker can take it without a copy.
      assert.equal(body.byteOffset, 0);
      assert.equal(body.byteLength, body.buffer.byteLength);
    }
  } finally {
    await s.close();
  }
});

test('a body past the limit is refused, and nothing of it is kept', async () => {
  const s = await bodyServer(1000);
  try {
    assert.equal(await s.send([randomBytes(600), randomBytes(600)]), 413);
    assert.ok(s.bodies.at(-1) instanceof HttpError);
  } finally {
    await s.close();
  }
});
