/**
 * One of bench/backup.ts's Floe steps (a backup or a restore) in a process of its own,
 * as `floe backup` or `floe restore` would run: its CPU time and peak RSS are the
 * client's alone, and it also reads what the localnet process spent meanwhile.
 *
 * It runs compiled (dist/bench/floe-step.js, which bench/backup.ts builds first), as the
 * installed `floe` does: under tsx every thread would carry its loader, ~35 MiB each
 * (measured). The step is timed from when the codec worker is ready to when it returns.
 */
import { spawn } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Index } from '../core/index/index.js';
import { deriveKeys } from '../core/repo/keys.js';
import { runBackup } from '../core/sync/backup.js';
import { findSnapshots, restoreSnapshot } from '../core/sync/restore.js';
import { LocalChain } from '../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../core/walrus/client/client.js';
import { CodecPool } from '../core/walrus/encoding/pool.js';
import { cpuSeconds, peakRssKiB, resetPeakRss } from './process-usage.js';

export type FloeStepJob = {
  ledgerUrl: string;
  localnetPid: number;
  phrase: string;
} & (
  | { kind: 'backup'; db: string; folder: string; packMiB: number | null }
  | { kind: 'restore'; target: string }
);

export interface FloeStepResult {
  wallSeconds: number;
  /** User + system CPU of the whole process, codec worker threads included. */
  cpuSeconds: number;
  /** Garbage collection on the main thread (the workers' is in cpuSeconds only). */
  gcSeconds: number;
  peakRssKiB: number;
  localnetCpuSeconds: number;
  localnetPeakRssKiB: number;
  backup?: { files: number; packs: number; newBytes: number };
}

const SELF = fileURLToPath(import.meta.url);
/** This file as tsc compiles it into dist/ (bench/tsconfig.json). */
export const BUILT_STEP = fileURLToPath(new URL('../dist/bench/floe-step.js', import.meta.url));

/**
 * Runs the step in a child process and returns what it measured; `nodeArgs` go to that
 * process's node (`--cpu-prof`, `--trace-gc`).
 */
export async function floeStep(job: FloeStepJob, nodeArgs: string[] = []): Promise<FloeStepResult> {
  const child = spawn(process.execPath, [...nodeArgs, BUILT_STEP, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the Floe ${job.kind} step exited with ${code}`);
  return JSON.parse(out) as FloeStepResult;
}

async function runStep(job: FloeStepJob): Promise<FloeStepResult> {
  const keys = deriveKeys(job.phrase);
  const chain = new LocalChain(job.ledgerUrl, keys.account);
  const pool = new CodecPool();
  const index = job.kind === 'backup' ? Index.open(job.db) : null;
  try {
    const client = new WalrusClient({ chain, pool });
    if (index && job.kind === 'backup' && index.folders().length === 0) {
      // A new repository: a new account, funded once.
      await chain.faucet(chain.address);
      index.addFolder(job.folder);
    }
    await pool.whenReady();

    let gcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration;
    });
    gc.observe({ entryTypes: ['gc'] });
    resetPeakRss(job.localnetPid);
    const localnetBefore = cpuSeconds(job.localnetPid);
    const cpuBefore = process.cpuUsage();
    const t = performance.now();

    let backup: FloeStepResult['backup'];
    if (index && job.kind === 'backup') {
      const pack = job.packMiB ? { packTargetSize: job.packMiB * 1024 * 1024 } : {};
      const r = await runBackup({ index, keys, client, epochs: 5, ...pack });
      backup = { files: r.files, packs: r.packs, newBytes: r.newBytes };
    } else if (job.kind === 'restore') {
      // From the chain alone, as on a new machine: list the snapshots, restore the newest.
      const [latest] = await findSnapshots(client, keys);
      if (!latest) throw new Error('the backup left no snapshot on chain');
      await restoreSnapshot(client, keys, latest.snapshot, { target: job.target });
    }

    const wallSeconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const localnetAfter = cpuSeconds(job.localnetPid);
    gc.disconnect();
    return {
      wallSeconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      gcSeconds: gcMs / 1000,
      peakRssKiB: process.resourceUsage().maxRSS,
      localnetCpuSeconds:
        localnetAfter.user + localnetAfter.system - localnetBefore.user - localnetBefore.system,
      localnetPeakRssKiB: peakRssKiB(job.localnetPid),
      ...(backup ? { backup } : {}),
    };
  } finally {
    index?.close();
    await pool.close();
  }
}

if (process.argv[1] === SELF) {
  process.stdout.write(JSON.stringify(await runStep(JSON.parse(process.argv[2]!) as FloeStepJob)));
}
