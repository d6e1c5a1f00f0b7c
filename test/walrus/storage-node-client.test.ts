import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  NodeRejectedError,
  NodeUnavailableError,
  StorageNodeClient,
} from '../../core/walrus/storage-node-client.js';

/**
 * The HTTP transport under the client, against a plain loopback server: what cannot be
 * provoked on demand in a real node (a connection dropped just as it is reused, an answer
 * that never comes).
 */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void,
): Promise<{ url: string; server: Server; connections: Socket[]; close(): Promise<void> }> {
  const connections: Socket[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => handler(req, res, Buffer.concat(parts)));
  });
  server.on('connection', (s) => connections.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ok = (res: ServerResponse) => res.writeHead(200).end('{"success":{"data":{}}}');

test('slivers go out byte for byte over one kept-alive connection', async () => {
  const received: Buffer[] = [];
  const s = await serve((_req, res, body) => {
    received.push(body);
    ok(res);
  });
  try {
    const client = new StorageNodeClient(s.url);
    const slivers = Array.from({ length: 20 }, (_, i) => randomBytes(1000 + i * 5000));
    // A view into a larger buffer, as the encoder's slivers can be.
    const backing = randomBytes(300_000);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 1000, 200_000);
    for (const [i, sliver] of [...slivers, view].entries())
      await client.putSliver('blob', i, 'primary', sliver);
    assert.deepEqual(received, [...slivers, Buffer.from(view)]);
    assert.equal(s.connections.length, 1);
  } finally {
    await s.close();
  }
});

test('a kept-alive connection the node drops before answering is retried on a new one', async () => {
  let answered = 0;
  let onFirst = 0;
  const s = await serve((req, res) => {
    // The second request on the first connection: the node closes it without an answer,
    // as one closing an idle connection just as the client reuses it does.
    if (req.socket === s.connections[0] && ++onFirst === 2) return req.socket.destroy();
    answered++;
    ok(res);
  });
  try {
    const client = new StorageNodeClient(s.url);
    await client.putSliver('blob', 0, 'primary', Uint8Array.of(1));
    await client.putSliver('blob', 1, 'primary', Uint8Array.of(2));
    assert.equal(answered, 2);
    assert.equal(s.connections.length, 2);
  } finally {
    await s.close();
  }
});

test('a node that does not answer in time is unavailable', async () => {
  const s = await serve(() => {
    // never answers
  });
  try {
    await assert.rejects(
      new StorageNodeClient(s.url).getMetadata('blob', { timeoutMs: 200 }),
      (e: unknown) => e instanceof NodeUnavailableError && /timed out/.test(e.message),
    );
  } finally {
    await s.close();
  }
});

test("an aborted request rejects with the caller's reason", async () => {
  const s = await serve(() => {
    // never answers
  });
  try {
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    const pending = new StorageNodeClient(s.url).getSliver('blob', 0, 'primary', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(reason), 50);
    await assert.rejects(pending, (e: unknown) => e === reason);
  } finally {
    await s.close();
  }
});

test('a 4xx is a refusal with its reason; a 5xx and a dead port are unavailability', async () => {
  const s = await serve((req, res) => {
    if (req.url!.includes('metadata'))
      res.writeHead(409).end(
        JSON.stringify({
          error: { message: 'not registered', details: [{ reason: 'NOT_REGISTERED' }] },
        }),
      );
    else res.writeHead(503).end('busy');
  });
  try {
    const client = new StorageNodeClient(s.url);
    await assert.rejects(
      client.putMetadata('blob', Uint8Array.of(1)),
      (e: unknown) =>
        e instanceof NodeRejectedError && e.status === 409 && e.reason === 'NOT_REGISTERED',
    );
    await assert.rejects(client.getSliver('blob', 0, 'primary'), NodeUnavailableError);
  } finally {
    await s.close();
  }
  await assert.rejects(
    new StorageNodeClient(s.url).getMetadata('blob', { timeoutMs: 2000 }),
    NodeUnavailableError,
  );
});
