/**
 * Bounded nodes (issue 13, item 9): a sliver PUT longer than any sliver can be is refused
 * before it is buffered, uploads in flight are held to a byte budget, memory comes back
 * after the load, and a refused upload leaves its keep-alive connection usable.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChain } from '../../../core/walrus/chain/local-chain.js';
import {
  blobIdToString,
  encodeBlob,
  encodeMetadata,
  RS2_ENCODING_TYPE,
} from '../../../core/walrus/encoding/index.js';
import { shardToPairIndex } from '../../../core/walrus/shards.js';
import { StorageNodeClient } from '../../../core/walrus/storage-node-client.js';

const MiB = 1024 * 1024;
let dir: string;
let child: ChildProcess;
let net: { ledger: string; nodes: string[]; pid: number };
let chain: LocalChain;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'floe-bounded-'));
  child = spawn(process.execPath, ['--import', 'tsx', 'test/support/localnet-child.ts', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  net = JSON.parse(line) as typeof net;
  chain = new LocalChain(net.ledger, new Ed25519Keypair());
  await chain.faucet(chain.address);
});

after(async () => {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
  await rm(dir, { recursive: true, force: true });
});

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

/** A registered blob whose metadata node 0 holds, and a pair of node 0's. */
async function blobOnNode0() {
  const e = encodeBlob(10, randomBytes(5_000));
  const blobId = blobIdToString(e.blobId);
  await chain.registerBlob({
    blobId,
    rootHash: e.rootHash,
    size: 5_000,
    encodingType: RS2_ENCODING_TYPE,
    epochs: 2,
    deletable: false,
  });
  await new StorageNodeClient(net.nodes[0]!).putMetadata(blobId, encodeMetadata(e.metadata));
  const { committee } = await chain.systemState();
  const member = committee.find((m) => m.url === net.nodes[0])!;
  return { blobId, pair: shardToPairIndex(member.shards[0]!, e.blobId, 10) };
}

/** PUTs `size` bytes of zeros, declared (Content-Length) or streamed (chunked). */
function put(url: string, size: number, declared: boolean, agent?: Agent): Promise<number> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'PUT',
        agent,
        headers: {
          'content-type': 'application/octet-stream',
          ...(declared ? { 'content-length': String(size) } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    // A node that refuses may close before the body is sent: that is its right.
    req.on('error', () => resolve(-1));
    const chunk = Buffer.alloc(MiB);
    let sent = 0;
    Readable.from(
      (function* () {
        while (sent < size) {
          sent += chunk.length;
          yield chunk;
        }
      })(),
    ).pipe(req);
  });
}

test('20 concurrent 60 MiB sliver PUTs are refused without the node holding them', async () => {
  const { blobId, pair } = await blobOnNode0();
  const url = `${net.nodes[0]}/v1/blobs/${blobId}/slivers/${pair}/primary`;
  const baseline = await rssMiB(net.pid);
  let peak = baseline;
  const sampler = setInterval(() => {
    void rssMiB(net.pid).then(
      (r) => (peak = Math.max(peak, r)),
      () => {},
    );
  }, 20);
  const statuses = await Promise.all(
    Array.from({ length: 20 }, (_, i) => put(url, 60 * MiB, i % 2 === 0)),
  );
  clearInterval(sampler);
  const afterLoad = await rssMiB(net.pid);
  console.log(
    `node RSS: ${baseline.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB peak, ${afterLoad.toFixed(0)} MiB after`,
  );
  // Every upload was refused (413, or the connection closed on a refused stream).
  assert.ok(
    statuses.every((s) => s === 413 || s === -1),
    `statuses: ${statuses.join(' ')}`,
  );
  assert.ok(statuses.includes(413));
  assert.ok(peak - baseline < 100, `the node grew by ${(peak - baseline).toFixed(0)} MiB`);
  assert.ok(afterLoad - baseline < 50, `the node kept ${(afterLoad - baseline).toFixed(0)} MiB`);
});

test("a sliver PUT longer than the blob's largest sliver is refused before it is read", async () => {
  const { blobId, pair } = await blobOnNode0();
  const url = `${net.nodes[0]}/v1/blobs/${blobId}/slivers/${pair}/primary`;
  // Below the system's limit (7 × 65,534 bytes on 10 shards), far above this blob's slivers.
  const res = await fetch(url, {
    method: 'PUT',
    body: new Uint8Array(200_000),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { error: { details: { reason: string }[] } };
  assert.equal(body.error.details[0]!.reason, 'INVALID_SLIVER');
});

test('after a refused upload the keep-alive connection carries the next request', async () => {
  const { blobId, pair } = await blobOnNode0();
  const url = `${net.nodes[0]}/v1/blobs/${blobId}/slivers/${pair}/primary`;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (const size of [2 * MiB, 60 * MiB]) {
      assert.equal(await put(url, size, true, agent), 413);
      const status = await new Promise<number>((resolve, reject) => {
        request(`${net.nodes[0]}/v1/health`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
          .on('error', reject)
          .end();
      });
      assert.equal(status, 200);
    }
  } finally {
    agent.destroy();
  }
});
