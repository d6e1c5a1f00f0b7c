import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  CodecPool,
  CodecPoolClosedError,
  CodecWorkerCrashedError,
  EncodingConfig,
  InsufficientSliversError,
  BlobTooLargeError,
  encodeBlob,
  estimateJobBytes,
  nativeEncoder,
  verifySliver,
} from '../../../core/walrus/encoding/index.js';

/** Worker threads even where the native encoder is built: what these tests are about. */
const WORKERS = { native: null };

test('the pool encodes and decodes in worker threads, byte-identical to the in-thread codec', async () => {
  const pool = new CodecPool({ size: 2, ...WORKERS });
  try {
    const data = randomBytes(50_000);
    const expected = encodeBlob(10, data);
    const encoded = await pool.encode(10, Uint8Array.from(data));
    assert.deepEqual(encoded.blobId, expected.blobId);
    assert.deepEqual(encoded.primary, expected.primary);
    assert.deepEqual(encoded.secondary, expected.secondary);
    verifySliver(encoded.metadata, 4, 'primary', encoded.primary[4]!);
    const k = new EncodingConfig(10).primarySourceSymbols;
    // Systematic slivers are copied on this thread; any others are solved in a worker.
    const decoded = await pool.decode(10, encoded.blobId, data.length, encoded.primary.slice(0, k));
    assert.deepEqual(Buffer.from(decoded), data);
    const solved = await pool.decode(10, encoded.blobId, data.length, encoded.primary.slice(k));
    assert.deepEqual(Buffer.from(solved), data);
    assert.equal(pool.stats().completed, 2, 'the encode and one decode went to a worker');
  } finally {
    await pool.close();
  }
});

test('input buffers are transferred to the worker, not copied', async () => {
  const pool = new CodecPool({ size: 1, ...WORKERS });
  try {
    const data = new Uint8Array(randomBytes(4096));
    await pool.encode(7, data);
    assert.equal(data.byteLength, 0, 'the caller’s buffer was detached by the transfer');
  } finally {
    await pool.close();
  }
});

test('many concurrent jobs all complete', async () => {
  const pool = new CodecPool({ size: 2 });
  try {
    const blobs = Array.from({ length: 12 }, (_, i) => randomBytes(1000 + i * 997));
    const results = await Promise.all(blobs.map((b) => pool.encode(7, Uint8Array.from(b))));
    results.forEach((r, i) => assert.deepEqual(r.blobId, encodeBlob(7, blobs[i]!).blobId));
    assert.equal(pool.stats().completed, 12);
  } finally {
    await pool.close();
  }
});

test('admitted memory never exceeds the budget while more than one job runs', async () => {
  const job = estimateJobBytes('encode', 200_000);
  // Room for two jobs at once, not three.
  const pool = new CodecPool({ size: 4, memoryBudgetBytes: Math.floor(job * 2.5) });
  try {
    let maxRunning = 0;
    const jobs = Array.from({ length: 8 }, () => pool.encode(10, randomBytes(200_000)));
    const timer = setInterval(() => (maxRunning = Math.max(maxRunning, pool.stats().running)), 1);
    await Promise.all(jobs);
    clearInterval(timer);
    const stats = pool.stats();
    assert.ok(stats.peakAdmittedBytes <= pool.memoryBudgetBytes, `${stats.peakAdmittedBytes}`);
    assert.ok(maxRunning <= 2, `ran ${maxRunning} at once`);
    assert.equal(stats.completed, 8);
  } finally {
    await pool.close();
  }
});

test('a job larger than the whole budget still runs, alone', async () => {
  const pool = new CodecPool({ size: 2, memoryBudgetBytes: 1 });
  try {
    const results = await Promise.all([
      pool.encode(4, randomBytes(100)),
      pool.encode(4, randomBytes(100)),
    ]);
    assert.equal(results.length, 2);
    assert.equal(pool.stats().peakAdmittedBytes, estimateJobBytes('encode', 100));
  } finally {
    await pool.close();
  }
});

test('typed codec errors keep their class across the thread boundary', async () => {
  const pool = new CodecPool({ size: 1, ...WORKERS });
  try {
    const e = encodeBlob(7, randomBytes(300));
    await assert.rejects(
      pool.decode(7, e.blobId, 300, e.primary.slice(0, 1)),
      InsufficientSliversError,
    );
    const max = new EncodingConfig(4).maxBlobSize;
    await assert.rejects(pool.encode(4, new Uint8Array(max + 1)), BlobTooLargeError);
    // The worker that failed was replaced; the pool still works.
    assert.equal((await pool.encode(4, randomBytes(10))).primary.length, 4);
  } finally {
    await pool.close();
  }
});

test('a worker stopped mid-job fails that job only; the queue goes on', async () => {
  // A 64 MiB blob on 1000 shards takes half a second even natively (seconds with
  // walrus-wasm); the timeout terminates the worker thread mid-encode, as a crash would.
  const pool = new CodecPool({ size: 1, jobTimeoutMs: 100, ...WORKERS });
  try {
    const doomed = pool.encode(1000, randomBytes(64 << 20));
    const next = pool.encode(4, randomBytes(100));
    await assert.rejects(
      doomed,
      (e: Error) =>
        e instanceof CodecWorkerCrashedError && /no result after 100 ms/.test(e.message),
    );
    assert.equal((await next).primary.length, 4);
    assert.equal(pool.stats().crashed, 1);
  } finally {
    await pool.close();
  }
});

test('a worker that dies of exhausted memory is reported as a crash', async () => {
  // 4 MiB of heap is not enough to even load the encoder: every worker dies, and after
  // a few in a row the pool gives up instead of respawning forever.
  const pool = new CodecPool({
    size: 1,
    ...WORKERS,
    resourceLimits: { maxOldGenerationSizeMb: 4, maxYoungGenerationSizeMb: 1 },
  });
  await assert.rejects(pool.encode(4, randomBytes(100)), CodecWorkerCrashedError);
  await assert.rejects(pool.encode(4, randomBytes(100)), CodecWorkerCrashedError);
  await pool.close();
});

test('closing the pool rejects what is still queued', async () => {
  const pool = new CodecPool({ size: 1 });
  const outcomes = [
    pool.encode(10, randomBytes(100_000)),
    pool.encode(10, randomBytes(100_000)),
  ].map((job) =>
    job.then(
      () => null,
      (error: unknown) => error,
    ),
  );
  await pool.close();
  for (const outcome of await Promise.all(outcomes))
    assert.ok(outcome instanceof CodecPoolClosedError);
  await assert.rejects(pool.encode(4, randomBytes(1)), CodecPoolClosedError);
});

for (const mode of ['workers', 'native'] as const) {
  test(
    `a recycled result lends its sliver buffers to the next encode, which is still exact (${mode})`,
    {
      skip: mode === 'native' && !nativeEncoder && 'the native encoder is not built',
    },
    async () => {
      const pool = new CodecPool({ size: 1, ...(mode === 'workers' ? WORKERS : {}) });
      try {
        const first = await pool.encode(10, randomBytes(60_000));
        const buffer = first.primary[0]!.buffer;
        const capacity = buffer.byteLength;
        pool.recycle(first);
        const data = randomBytes(55_000);
        const second = await pool.encode(10, Uint8Array.from(data));
        if (mode === 'workers')
          // The first result's buffers went to the worker again: detached here.
          assert.equal(first.primary[0]!.byteLength, 0);
        else assert.equal(second.primary[0]!.buffer, buffer, 'the same memory, written again');
        assert.equal(second.primary[0]!.buffer.byteLength, capacity);
        const expected = encodeBlob(10, data);
        assert.deepEqual(second.primary, expected.primary);
        assert.deepEqual(second.secondary, expected.secondary);
        assert.deepEqual(second.blobId, expected.blobId);
        // A larger blob than the recycled buffers hold gets new ones, and is exact too.
        pool.recycle(second);
        const big = randomBytes(200_000);
        assert.deepEqual(
          (await pool.encode(10, Uint8Array.from(big))).primary,
          encodeBlob(10, big).primary,
        );
      } finally {
        await pool.close();
      }
    },
  );
}

test('workers start as jobs need them', async () => {
  const pool = new CodecPool({ size: 3, ...WORKERS });
  try {
    assert.equal(pool.stats().workers, 1);
    await pool.encode(7, randomBytes(1000));
    assert.equal(pool.stats().workers, 1, 'one job at a time needs one worker');
    await Promise.all(Array.from({ length: 9 }, () => pool.encode(7, randomBytes(300_000))));
    assert.ok(pool.stats().workers > 1 && pool.stats().workers <= 3, `${pool.stats().workers}`);
  } finally {
    await pool.close();
  }
});

test(
  'with the native encoder, encodes run on libuv threads: no worker starts and the caller keeps its blob',
  { skip: !nativeEncoder && 'the native encoder is not built' },
  async () => {
    const pool = new CodecPool({ size: 2 });
    try {
      const data = new Uint8Array(randomBytes(300_000));
      const copy = Uint8Array.from(data);
      const [encoded] = await Promise.all([
        pool.encode(10, data),
        ...Array.from({ length: 5 }, () => pool.encode(10, randomBytes(200_000))),
      ]);
      assert.equal(pool.stats().workers, 0);
      assert.equal(pool.stats().completed, 6);
      assert.deepEqual(data, copy, 'read in place, neither detached nor changed');
      const expected = encodeBlob(10, copy);
      assert.deepEqual(encoded!.primary, expected.primary);
      assert.deepEqual(encoded!.secondary, expected.secondary);
      assert.deepEqual(encoded!.blobId, expected.blobId);
      // Decoding from repair slivers still needs a worker: one starts for it.
      const k = new EncodingConfig(10).primarySourceSymbols;
      const solved = await pool.decode(10, encoded!.blobId, copy.length, encoded!.primary.slice(k));
      assert.deepEqual(solved, copy);
      assert.equal(pool.stats().workers, 1);
    } finally {
      await pool.close();
    }
  },
);
