import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';

async function waitForFile(path: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await stat(path);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${path} did not appear`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

test('floe localnet start runs a network that floe blob put, get, ls and extend use', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-'));
  const net = join(dir, 'net');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'core/cli/bin.ts',
      'localnet',
      'start',
      '--data',
      net,
      '--nodes',
      '4',
      '--shards',
      '10',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  try {
    await waitForFile(join(net, 'localnet.json'), 20_000);
    await new Promise((r) => setTimeout(r, 200));
    assert.match(stdout, /Walrus localnet running/);
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
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
    await rm(dir, { recursive: true, force: true });
  }
});
