/**
 * Which localnet a data directory uses besides the user's own: one that `floe --data DIR
 * localnet start` runs for DIR, and one running elsewhere, named by `--localnet URL` or
 * the localnetUrl setting (a home server's, started with `--listen`; here on loopback).
 * Each test has a user of its own (HOME), and checks no background localnet was started.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { EXIT } from '../../core/cli/errors.js';
import type { LocalnetInfo } from '../../core/localnet/info.js';

const ENV = ['FLOE_KEY_PASSPHRASE', 'DBUS_SESSION_BUS_ADDRESS', 'HOME', 'XDG_DATA_HOME'] as const;

/** A scratch user: its own HOME, no keychain, floe's output kept. */
async function scratchUser(name: string) {
  const dir = await mkdtemp(join(tmpdir(), `floe-${name}-`));
  const saved = ENV.map((n) => process.env[n]);
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  process.env.HOME = join(dir, 'user');
  process.env.XDG_DATA_HOME = join(dir, 'user', '.local', 'share');
  const lines: string[] = [];
  const errors: string[] = [];
  const floe = async (...args: string[]) => {
    const printError = console.error;
    console.error = (...parts: unknown[]) => void errors.push(parts.join(' '));
    try {
      return await main(args, (l) => lines.push(l));
    } finally {
      console.error = printError;
    }
  };
  return {
    dir,
    lines,
    errors,
    floe,
    userNet: join(dir, 'user', '.local', 'share', 'floe', 'localnet'),
    async close() {
      ENV.forEach((n, i) => {
        if (saved[i] === undefined) delete process.env[n];
        else process.env[n] = saved[i];
      });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** `floe ARGS` as its own process, ready once `info` (a localnet.json) exists. */
async function floeProcess(args: string[], info: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'core/cli/bin.ts', ...args, '--nodes', '4', '--shards', '10'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = once(child, 'exit');
  const deadline = Date.now() + 60_000;
  while (!/Press Ctrl-C/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`floe ${args.join(' ')} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    child,
    exited,
    out: () => out,
    info: JSON.parse(await readFile(info, 'utf8')) as LocalnetInfo,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

test("floe --data DIR localnet start runs DIR's own network, which DIR uses and names when it is down; floe --data DIR localnet stop ends it", async () => {
  const u = await scratchUser('own-localnet');
  const home = join(u.dir, 'home');
  const net = await floeProcess(
    ['--data', home, 'localnet', 'start'],
    join(home, 'localnet', 'localnet.json'),
  );
  try {
    assert.equal(net.info.pid, net.child.pid, 'it records its pid');
    assert.equal(await u.floe('--data', home, '--json', 'init'), EXIT.ok);
    const { address } = JSON.parse(u.lines.pop()!) as { address: string };
    const account = (await (
      await fetch(`${net.info.ledgerUrl}/v1/accounts/${address}`)
    ).json()) as { sui: string };
    assert.ok(BigInt(account.sui) > 0n, "the account was funded on DIR's network");
    assert.equal(existsSync(u.userNet), false, 'no background localnet was started');

    assert.equal(await u.floe('--data', home, 'localnet', 'stop'), EXIT.ok);
    assert.equal(
      u.lines.pop(),
      `Stopped the localnet in ${join(home, 'localnet')} (pid ${net.child.pid})`,
    );
    await net.exited;
    assert.equal(await u.floe('--data', home, 'status'), EXIT.network);
    assert.match(u.errors.pop()!, /floe --data .* localnet start/);
    assert.equal(existsSync(u.userNet), false, 'nor when it was down');
  } finally {
    await net.kill();
    await u.close();
  }
});

test('--localnet URL and the localnetUrl setting use a localnet elsewhere, served with --listen', async () => {
  const u = await scratchUser('remote-localnet');
  const server = join(u.dir, 'server');
  assert.equal(
    await u.floe('localnet', 'start', '--data', server, '--listen', '0.0.0.0'),
    EXIT.usage,
  );
  assert.match(u.errors.pop()!, /--listen needs the address other computers reach this one at/);
  const net = await floeProcess(
    ['localnet', 'start', '--data', server, '--listen', '127.0.0.1'],
    join(server, 'localnet.json'),
  );
  try {
    const url = net.info.ledgerUrl;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const src = join(u.dir, 'Documents');
    await mkdir(src);
    await writeFile(join(src, 'note.txt'), 'kept on the server');

    const laptop = join(u.dir, 'laptop');
    const onServer = (...args: string[]) => u.floe('--data', laptop, '--localnet', url, ...args);
    assert.equal(await onServer('--json', 'init'), EXIT.ok);
    const { phrase } = JSON.parse(u.lines.pop()!) as { phrase: string };
    assert.equal(await onServer('add', src), EXIT.ok);
    assert.equal(await onServer('backup'), EXIT.ok);

    const desk = join(u.dir, 'desk');
    assert.equal(await u.floe('--data', desk, 'settings', 'set', 'localnetUrl', url), EXIT.ok);
    const target = join(u.dir, 'restored');
    assert.equal(
      await u.floe('--data', desk, 'restore', '--phrase', phrase, '--target', target),
      EXIT.ok,
      u.errors.join('\n'),
    );
    assert.equal(await readFile(join(target, 'note.txt'), 'utf8'), 'kept on the server');
    assert.equal(existsSync(u.userNet), false, 'no background localnet was started');
  } finally {
    await net.kill();
    await u.close();
  }
});
