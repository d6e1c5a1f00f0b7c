/**
 * `--network` is the only switch between the local network and Walrus on Sui. With no
 * internet here, a Sui network is unreachable: each command must say so plainly and exit
 * with the network code, never hang or pretend.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';

test('--network testnet: funding advice at init, and a plain "cannot be reached" without internet', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-net-'));
  const saved = {
    pass: process.env.FLOE_KEY_PASSPHRASE,
    bus: process.env.DBUS_SESSION_BUS_ADDRESS,
    rpc: process.env.FLOE_SUI_RPC_URL,
  };
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  // A closed loopback port stands in for a full node out of reach (this machine has no internet).
  process.env.FLOE_SUI_RPC_URL = 'http://127.0.0.1:9';
  try {
    const home = join(dir, 'home');
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    const run = (...args: string[]) => main(['--data', home, '--network', 'testnet', ...args], out);

    assert.equal(await run('--json', 'init'), EXIT.ok);
    const init = JSON.parse(lines.pop()!) as { funding: string };
    assert.match(init.funding, /pays real testnet fees: .*faucet/i);
    assert.equal(await main(['--data', home, '--network', 'bogus', 'status'], out), EXIT.usage);

    await mkdir(join(dir, 'docs'));
    assert.equal(await main(['--data', home, 'add', join(dir, 'docs')], out), EXIT.ok);
    assert.equal(await run('backup'), EXIT.network, 'a backup that cannot reach the chain exits 3');
    assert.equal(await run('--json', 'status'), EXIT.failure);
    assert.match(
      (JSON.parse(lines.pop()!) as { networkError: string }).networkError,
      /cannot be reached/,
    );
    assert.equal(await run('--json', 'doctor'), EXIT.failure);
    const { findings } = JSON.parse(lines.pop()!) as {
      findings: { check: string; verdict: string; detail: string }[];
    };
    const node = findings.find((f) => f.verdict === 'fail');
    assert.match(node!.detail, /cannot be reached/);
  } finally {
    for (const [k, v] of [
      ['FLOE_KEY_PASSPHRASE', saved.pass],
      ['DBUS_SESSION_BUS_ADDRESS', saved.bus],
      ['FLOE_SUI_RPC_URL', saved.rpc],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    await rm(dir, { recursive: true, force: true });
  }
});
