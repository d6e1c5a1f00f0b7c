import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import { startLocalnetProcess } from '../support/localnet-process.js';

test('floe localnet start runs a network that floe blob put, get, ls and extend use', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-'));
  const net = join(dir, 'net');
  const network = await startLocalnetProcess(net);
  try {
    assert.match(network.stdout(), /Walrus localnet running/);
    const file = join(dir, 'in.bin');
    const data = randomBytes(40_000);
    await writeFile(file, data);
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    assert.equal(
      await main(['--json', 'blob', 'put', file, '--epochs', '2', '--localnet', net], out),
      0,
    );
    const stored = JSON.parse(lines.pop()!) as {
      blobId: string;
      objectId: string;
      endEpoch: number;
    };
    assert.equal(stored.endEpoch, 3);
    assert.equal(
      await main(['blob', 'get', stored.blobId, join(dir, 'out.bin'), '--localnet', net], out),
      0,
    );
    // One blob id in 32 starts with '-': it is still an id, not an unknown option.
    const dashed = '-' + 'A'.repeat(42);
    assert.equal(
      await main(['blob', 'get', dashed, join(dir, 'none.bin'), '--localnet', net], out),
      EXIT.network,
      'a blob nobody stored is unavailable, and the id was read as an id',
    );
    assert.deepEqual(await readFile(join(dir, 'out.bin')), data);
    assert.equal(await main(['--json', 'blob', 'ls', '--localnet', net], out), 0);
    assert.deepEqual(
      (JSON.parse(lines.pop()!) as { objectId: string }[]).map((b) => b.objectId),
      [stored.objectId],
    );
    assert.equal(
      await main(
        ['--json', 'blob', 'extend', stored.blobId, '--epochs', '4', '--localnet', net],
        out,
      ),
      0,
    );
    assert.equal((JSON.parse(lines.pop()!) as { endEpoch: number }).endEpoch, 7);
    assert.equal(
      await main(['blob', 'rm', stored.objectId, '--localnet', net], out),
      1,
      'a permanent blob cannot be removed',
    );
    assert.equal(await main(['blob', 'nonsense', '--localnet', net], out), 2);
  } finally {
    await network.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
