import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readLocalnetInfo,
  writeLocalnetInfo,
  type LocalnetInfo,
} from '../../core/localnet/info.js';

test('localnet.json is replaced whole, and one caught half-written reads as not there yet', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-localnet-info-'));
  try {
    assert.equal(await readLocalnetInfo(dir), null, 'no file');
    // What a reader polling for a starting localnet used to catch mid-write.
    await writeFile(join(dir, 'localnet.json'), '{"ledgerUrl": "http://127.0.0.1:1", "no');
    assert.equal(await readLocalnetInfo(dir), null);
    const info: LocalnetInfo = {
      ledgerUrl: 'http://127.0.0.1:1',
      nodes: [],
      account: { address: '0x1', secretKey: 'k' },
      pid: 42,
    };
    await writeLocalnetInfo(dir, info);
    assert.deepEqual(await readLocalnetInfo(dir), info);
    assert.deepEqual(await readdir(dir), ['localnet.json'], 'no temporary file left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
