import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../core/cli/errors.js';
import type { SnapshotProof } from '../../core/sync/proof.js';
import type { SpotCheckRecord } from '../../core/sync/spot-check-schedule.js';
import { scratchUser } from '../support/scratch-user.js';

test('floe proof shows who certified each blob and until when; floe verify spot-checks every node', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-proof-'));
  const user = scratchUser(dir);
  try {
    const { lines, run } = user;
    const src = join(dir, 'Documents');
    await mkdir(src, { recursive: true });
    await writeFile(join(src, 'a.bin'), randomBytes(100_000));
    assert.equal(await run('--json', 'init'), EXIT.ok);
    assert.equal(await run('add', src), EXIT.ok);
    assert.equal(await run('--json', 'backup'), EXIT.ok);

    assert.equal(await run('--json', 'proof'), EXIT.ok);
    const proof = JSON.parse(lines.pop()!) as SnapshotProof;
    assert.deepEqual(proof.blobs.map((b) => b.kind).sort(), ['index', 'pack', 'snapshot']);
    assert.equal(proof.summary.complete, true);
    assert.ok(
      proof.blobs.every((b) => b.certificate?.check === 'verified' && b.objectUrl === null),
    );

    lines.length = 0;
    assert.equal(await run('proof', 'latest'), EXIT.ok);
    assert.match(
      lines[1]!,
      /^Stored with \d+ storage nodes; any \d+ of them hold enough to rebuild it/,
    );
    assert.ok(lines.some((l) => /^pack .*certified in epoch \d+ by .* signature verified/.test(l)));
    assert.ok(lines.some((l) => /local test network .* nothing here is independent/.test(l)));

    lines.length = 0;
    assert.equal(await run('--json', 'verify', '--sample', '5'), EXIT.ok);
    const check = JSON.parse(lines.pop()!) as SpotCheckRecord;
    assert.equal(check.blobs, 3);
    assert.ok(check.nodes.length > 0 && check.nodes.every((n) => n.verdict === 'answered'));
    assert.equal(check.samplePercent, 5);

    lines.length = 0;
    assert.equal(await run('verify', 'latest', '--sample', '0.5'), EXIT.ok);
    assert.match(
      lines.at(-1)!,
      /^all \d+ nodes answered: \d+ more nodes? could fail before any data is lost$/,
    );
    assert.equal(await run('verify', '--sample', '0'), EXIT.usage);
    assert.equal(await run('proof', 'nosuchsnapshot'), EXIT.usage);
  } finally {
    await user.end();
    await rm(dir, { recursive: true, force: true });
  }
});
