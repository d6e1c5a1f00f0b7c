/**
 * What a storage node costs per stored MiB: a localnet (ledger and storage nodes) in a
 * child process, a store loop from this one, and the child's CPU time (user + system,
 * from /proc) before and after — so the client's encoding is not counted. The ledger's
 * share is in the figure too; it is small next to the nodes' sliver handling.
 *
 *   node --import tsx bench/node-cpu.ts [--blobs 20] [--mib 1] [--shards 100]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { LocalChain } from '../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../core/walrus/client/client.js';
import { CodecPool } from '../core/walrus/encoding/pool.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};

/** utime + stime of a process, in seconds (/proc/PID/stat fields 14 and 15, in clock ticks). */
async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const blobs = arg('blobs', 20);
const mib = arg('mib', 1);
const shards = arg('shards', 100);
const dir = await mkdtemp(join(tmpdir(), 'floe-bench-node-'));
const child = spawn(
  process.execPath,
  [
    ...(process.env.NODE_CPU_PROF
      ? ['--cpu-prof', '--cpu-prof-dir', process.env.NODE_CPU_PROF]
      : []),
    '--import',
    'tsx',
    'test/support/localnet-child.ts',
    dir,
    '4',
    String(shards),
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
try {
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const net = JSON.parse(line) as { ledger: string; pid: number };
  const chain = new LocalChain(net.ledger, new Ed25519Keypair());
  await chain.faucet(chain.address);
  const pool = new CodecPool({ size: 1 });
  const client = new WalrusClient({ chain, pool });
  // One store first: the nodes' first blob pays for warm-up (JIT, tables).
  await client.store(randomBytes(64 * 1024), { epochs: 2, deletable: false });
  const before = await cpuSeconds(net.pid);
  const t = performance.now();
  for (let i = 0; i < blobs; i++)
    await client.store(randomBytes(mib * 1024 * 1024), { epochs: 2, deletable: false });
  const cpu = (await cpuSeconds(net.pid)) - before;
  const wall = (performance.now() - t) / 1000;
  await pool.close();
  console.log(
    `${blobs} × ${mib} MiB on 4 nodes, ${shards} shards: localnet CPU ${cpu.toFixed(2)} s ` +
      `(${((cpu / (blobs * mib)) * 1000).toFixed(0)} ms per stored MiB), wall ${wall.toFixed(1)} s; ` +
      `load ${(await readFile('/proc/loadavg', 'utf8')).trim()}`,
  );
} finally {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
  await rm(dir, { recursive: true, force: true });
}
