/**
 * `floe doctor` on a data directory with almost no free space: the index cannot grow and
 * the next backup would fail half-way, so doctor says so instead of "ok". The data
 * directory is a tiny tmpfs of the child's own (support/tmpfs.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inTmpfs, tmpfsAvailable } from '../support/tmpfs.js';

interface Finding {
  check: string;
  verdict: string;
  detail: string;
}

function doctorIn(wrapper: string[], home: string): Promise<Finding[]> {
  const command = [process.execPath, '--import', 'tsx', 'core/cli/bin.ts'];
  const child = spawn(
    wrapper[0]!,
    [...wrapper.slice(1), ...command, '--data', home, '--json', 'doctor'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        FLOE_KEY_PASSPHRASE: 'test passphrase',
        DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-bus')}`,
      },
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  return new Promise((resolve, reject) =>
    child.once('exit', () => {
      try {
        resolve((JSON.parse(out.trim().split('\n').pop()!) as { findings: Finding[] }).findings);
      } catch {
        reject(new Error(`doctor printed ${out}`));
      }
    }),
  );
}

test('doctor fails a data directory with 100 KiB free, and says how much is needed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-doctor-'));
  try {
    const home = join(dir, 'home');
    await mkdir(home);
    if (!(await tmpfsAvailable(home))) return t.skip('user namespaces are not available here');
    const findings = await doctorIn(inTmpfs(home, 'size=300k'), home);
    const space = findings.find((f) => f.check === 'free space');
    assert.equal(space?.verdict, 'fail', JSON.stringify(findings));
    assert.match(space!.detail, /KiB free .* at least \d+ MiB/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
