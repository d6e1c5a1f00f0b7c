/**
 * Floe against restic on the same data in the same run, step by step: cold backup,
 * restore, edit-one-file backup, a first and a no-change backup of many small files, and
 * a dedup tree. For each step: wall time, CPU (user + system) and peak RSS of the client;
 * of Floe's localnet too; and restic's beside them.
 *
 * Three kinds of process, so that each one's cost is its own:
 * - the localnet: `floe localnet start` (10 nodes, `--shards` shards), one process for
 *   the whole run, read through /proc around each step;
 * - Floe's client: each step in a fresh process (bench/floe-step.ts) running the product
 *   path — runBackup, or findSnapshots + restoreSnapshot — through a WalrusClient and a
 *   default CodecPool, timed from when its workers are ready;
 * - restic 0.14 (Debian) against a local repository, each command under GNU time.
 *
 *   npm run bench:backup                       # 1 GiB mixed tree, 100k-file rescan
 *   npm run bench:backup -- --quick            # 64 MiB, 2000 small files, 5000-file rescan
 *   npm run bench:backup -- --size 256         # the 256 MiB tree README's table uses
 *   npm run bench:backup -- --size 10240 --backup-only   # memory on a 10 GiB tree
 *   npm run bench:backup -- --profile DIR      # also write CPU profiles (client, localnet) to DIR
 *   npm run bench:backup -- --pack-size 16     # packs of 16 MiB instead of Floe's default
 *
 * Floe runs compiled, as installed: the bench first builds dist/ with bench/tsconfig.json.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateRecoveryPhrase } from '../core/repo/keys.js';
import { checkRestored, editMiddle, generateTrees, type Trees } from './backup-trees.js';
import { floeStep, type FloeStepJob, type FloeStepResult } from './floe-step.js';
import { startLocalnet, type LocalnetChild } from './localnet-child.js';
import { loadAverage } from './process-usage.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const RESTIC = '/usr/bin/restic';
const GNU_TIME = '/usr/bin/time';

const execFileP = promisify(execFile);
const TSC = fileURLToPath(import.meta.resolve('typescript/bin/tsc'));

interface Plan {
  sizeMiB: number;
  smallFiles: number;
  rescanFiles: number;
  shards: number;
  backupOnly: boolean;
  /** Node flags for Floe's processes, client and localnet (`--profile`). */
  nodeArgs: string[];
  /** Pack target size in MiB; null for Floe's default. */
  packMiB: number | null;
}

function parsePlan(args: string[]): Plan {
  const quick = args.includes('--quick');
  const value = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at < 0 ? undefined : args[at + 1];
  };
  const option = (name: string, fallback: number): number => {
    const text = value(name);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} takes a positive integer`);
    return n;
  };
  const profile = value('--profile');
  return {
    sizeMiB: option('--size', quick ? 64 : 1024),
    smallFiles: quick ? 2000 : 4000,
    rescanFiles: option('--files', quick ? 5000 : 100_000),
    shards: option('--shards', 100),
    backupOnly: args.includes('--backup-only'),
    packMiB: value('--pack-size') === undefined ? null : option('--pack-size', 0),
    nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir', resolve(profile)] : [],
  };
}

/** One tool's cost for one step. */
interface Cost {
  wallSeconds: number;
  cpuSeconds: number;
  peakRssKiB: number;
  /** The 1-minute load average when the step ended. */
  load: string;
}

interface Row {
  name: string;
  /** Bytes the step backs up or restores, for the per-GiB columns; null for no-data steps. */
  bytes: number | null;
  floe: FloeStepResult & { load: string };
  restic: Cost;
}

const load1 = () => loadAverage().split(' ')[0]!;

/** Floe's side of the run: one repository (account + index) per tree, as restic has. */
class Floe {
  private readonly phrases = new Map<string, string>();

  constructor(
    private readonly net: LocalnetChild,
    private readonly work: string,
    private readonly nodeArgs: string[],
    private readonly packMiB: number | null,
  ) {}

  private phrase(repo: string): string {
    let p = this.phrases.get(repo);
    if (!p) this.phrases.set(repo, (p = generateRecoveryPhrase()));
    return p;
  }

  private async step(job: FloeStepJob, what: string) {
    const r = await floeStep(job, this.nodeArgs);
    const load = load1();
    console.log(
      `floe: ${what}: ${r.wallSeconds.toFixed(1)} s, client CPU ${r.cpuSeconds.toFixed(1)} s, ` +
        `localnet CPU ${r.localnetCpuSeconds.toFixed(1)} s, RSS ${(r.peakRssKiB / 1024).toFixed(0)} MiB` +
        (r.backup
          ? `, ${r.backup.files} files, ${r.backup.packs} packs, ${r.backup.newBytes} new bytes`
          : '') +
        ` (load ${load})`,
    );
    return { ...r, load };
  }

  backup(repo: string, folder: string, what: string) {
    const common = { ledgerUrl: this.net.ledgerUrl, localnetPid: this.net.pid };
    return this.step(
      {
        ...common,
        phrase: this.phrase(repo),
        kind: 'backup',
        db: join(this.work, `${repo}.db`),
        folder,
        packMiB: this.packMiB,
      },
      what,
    );
  }

  restore(repo: string, target: string) {
    const common = { ledgerUrl: this.net.ledgerUrl, localnetPid: this.net.pid };
    return this.step({ ...common, phrase: this.phrase(repo), kind: 'restore', target }, 'restore');
  }
}

interface ResticSummary {
  files_new: number;
  files_changed: number;
  data_added: number;
}

/**
 * restic commands against local repositories in `work`, each under GNU time: `%M` is the
 * ru_maxrss that wait4 returned for restic, the kernel's exact peak, and `%U %S` its CPU.
 */
class Restic {
  constructor(private readonly work: string) {}

  repo(name: string): string {
    return join(this.work, `repo-${name}`);
  }

  /** The whole command, start-up and key derivation included: what a user waits. */
  async run(repo: string, ...args: string[]): Promise<{ stdout: string; cost: Cost }> {
    const timeFile = join(this.work, 'time');
    const cache = join(this.work, 'cache');
    const t = performance.now();
    const { stdout } = await execFileP(
      GNU_TIME,
      ['-f', '%U %S %M', '-o', timeFile, RESTIC, '--repo', repo, '--cache-dir', cache, ...args],
      { env: { ...process.env, RESTIC_PASSWORD: 'bench' }, maxBuffer: 64 * MiB },
    );
    const wallSeconds = (performance.now() - t) / 1000;
    const [user, system, rss] = (await readFile(timeFile, 'utf8')).trim().split(/\s+/).map(Number);
    const cost = {
      wallSeconds,
      cpuSeconds: user! + system!,
      peakRssKiB: rss!,
      load: load1(),
    };
    return { stdout, cost };
  }

  async backup(repo: string, dir: string, what: string) {
    const { stdout, cost } = await this.run(repo, 'backup', '--json', dir);
    const summary = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ResticSummary & { message_type: string })
      .find((m) => m.message_type === 'summary');
    if (!summary) throw new Error(`restic backup of ${dir} printed no summary`);
    console.log(
      `restic: ${what}: ${cost.wallSeconds.toFixed(1)} s, CPU ${cost.cpuSeconds.toFixed(1)} s, ` +
        `RSS ${(cost.peakRssKiB / 1024).toFixed(0)} MiB, ${summary.data_added} bytes added (load ${cost.load})`,
    );
    return { summary, cost };
  }
}

interface Names {
  cold: string;
  restore: string;
  edit: string;
  smallFirst: string;
  rescan: string;
  dedup: string;
}

function stepNames(plan: Plan, trees: Trees): Names {
  return {
    cold: `cold backup (${plan.sizeMiB} MiB, ${trees.mixedFiles} files)`,
    restore: 'restore (latest snapshot, empty dir)',
    edit: `edit 4 KiB of a ${+(plan.sizeMiB / 8).toFixed(1)} MiB file → backup`,
    smallFirst: `first backup of ${plan.rescanFiles} 100-byte files`,
    rescan: `no-change rescan (${plan.rescanFiles} files)`,
    dedup: `dedup tree (${(trees.dedupBytes / MiB).toFixed(0)} MiB)`,
  };
}

/** Floe's steps, then (with the localnet gone) restic's, on the same trees. */
async function measure(plan: Plan, root: string, trees: Trees) {
  const names = stepNames(plan, trees);
  const floe: Partial<Record<keyof Names, Row['floe']>> = {};
  let dedupStored = { floe: 0, restic: 0 };
  const localnetDir = join(root, 'localnet');
  const net = await startLocalnet(localnetDir, plan.shards, plan.nodeArgs);
  try {
    const work = join(root, 'floe');
    mkdirSync(work);
    const f = new Floe(net, work, plan.nodeArgs, plan.packMiB);
    floe.cold = await f.backup('mixed', trees.mixed, names.cold);
    if (!plan.backupOnly) {
      const target = join(work, 'restore');
      floe.restore = await f.restore('mixed', target);
      await checkRestored(target, trees);
      await rm(target, { recursive: true });
      await editMiddle(trees.bigFile);
      floe.edit = await f.backup('mixed', trees.mixed, names.edit);
      floe.smallFirst = await f.backup('rescan', trees.rescan!, names.smallFirst);
      floe.rescan = await f.backup('rescan', trees.rescan!, names.rescan);
      if (floe.rescan.backup!.files !== 0)
        throw new Error(`the no-change backup re-read ${floe.rescan.backup!.files} files`);
      floe.dedup = await f.backup('dedup', trees.dedup!, names.dedup);
      dedupStored.floe = floe.dedup.backup!.newBytes;
    }
  } finally {
    await net.stop();
  }
  // The nodes' slivers are 4.5× the data: gone before restic writes its repositories.
  rmSync(localnetDir, { recursive: true, force: true });

  const restic: Partial<Record<keyof Names, Cost>> = {};
  const rw = join(root, 'restic');
  mkdirSync(rw);
  const r = new Restic(rw);
  const mixed = r.repo('mixed');
  await r.run(mixed, 'init');
  restic.cold = (await r.backup(mixed, trees.mixed, names.cold)).cost;
  if (!plan.backupOnly) {
    const target = join(rw, 'restore');
    restic.restore = (await r.run(mixed, 'restore', 'latest', '--target', target)).cost;
    console.log(`restic: restore: ${restic.restore.wallSeconds.toFixed(1)} s`);
    // restic restores the backed-up absolute path beneath the target.
    await checkRestored(join(target, trees.mixed), trees);
    await rm(target, { recursive: true });
    // Restic sees the tree as Floe left it (edited once), then edits it itself.
    await editMiddle(trees.bigFile);
    restic.edit = (await r.backup(mixed, trees.mixed, names.edit)).cost;
    const rescan = r.repo('rescan');
    await r.run(rescan, 'init');
    restic.smallFirst = (await r.backup(rescan, trees.rescan!, names.smallFirst)).cost;
    const again = await r.backup(rescan, trees.rescan!, names.rescan);
    const reread = again.summary.files_new + again.summary.files_changed;
    if (reread !== 0) throw new Error(`restic's no-change backup saw ${reread} changed files`);
    restic.rescan = again.cost;
    const dedupRepo = r.repo('dedup');
    await r.run(dedupRepo, 'init');
    const dedup = await r.backup(dedupRepo, trees.dedup!, names.dedup);
    restic.dedup = dedup.cost;
    dedupStored.restic = dedup.summary.data_added;
  }

  const bytes: Record<keyof Names, number | null> = {
    cold: trees.mixedBytes,
    restore: trees.mixedBytes,
    edit: null,
    smallFirst: null,
    rescan: null,
    dedup: trees.dedupBytes,
  };
  const rows: Row[] = (Object.keys(names) as (keyof Names)[])
    .filter((k) => floe[k] && restic[k])
    .map((k) => ({ name: names[k], bytes: bytes[k], floe: floe[k]!, restic: restic[k]! }));
  return { rows, dedupStored };
}

const fixed = (n: number, digits: number) => n.toFixed(digits);

function printTable(rows: Row[]): void {
  const perGiB = (seconds: number, bytes: number | null) =>
    bytes === null ? '–' : fixed(seconds / (bytes / GiB), 1);
  const mib = (kib: number) => fixed(kib / 1024, 0);
  const header = [
    'step',
    'Floe wall s',
    'restic wall s',
    'client CPU s',
    'localnet CPU s',
    'restic CPU s',
    'client CPU s/GiB',
    'localnet CPU s/GiB',
    'restic CPU s/GiB',
    'client ÷ restic CPU',
    'client GC s',
    'client peak RSS MiB',
    'localnet peak RSS MiB',
    'restic peak RSS MiB',
    'load 1m Floe / restic',
  ];
  console.log(`\n| ${header.join(' | ')} |`);
  console.log(`| --- |${' ---: |'.repeat(header.length - 1)}`);
  for (const { name, bytes, floe: f, restic: r } of rows) {
    const cells = [
      name,
      fixed(f.wallSeconds, 2),
      fixed(r.wallSeconds, 2),
      fixed(f.cpuSeconds, 2),
      fixed(f.localnetCpuSeconds, 2),
      fixed(r.cpuSeconds, 2),
      perGiB(f.cpuSeconds, bytes),
      perGiB(f.localnetCpuSeconds, bytes),
      perGiB(r.cpuSeconds, bytes),
      `${fixed(f.cpuSeconds / r.cpuSeconds, 2)}×`,
      fixed(f.gcSeconds, 2),
      mib(f.peakRssKiB),
      mib(f.localnetPeakRssKiB),
      mib(r.peakRssKiB),
      `${f.load} / ${r.load}`,
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}

/** The goals of issue 15, with what this run reached. */
function printGoals(rows: Row[], dedup: { floe: number; restic: number }, trees: Trees): void {
  const [cold, restore] = rows;
  const ratio = (row: Row) => row.floe.cpuSeconds / row.restic.cpuSeconds;
  console.log('');
  if (cold) {
    console.log(`cold backup: client CPU per GiB ${fixed(ratio(cold), 2)}× restic's (goal ≤ 2×)`);
    console.log(
      `cold backup: localnet CPU ${fixed(cold.floe.localnetCpuSeconds / (trees.mixedBytes / GiB), 1)} s per GiB stored (goal: half of the 2026-12-01 93.7 s)`,
    );
  }
  if (restore)
    console.log(
      `restore: client CPU per GiB ${fixed(ratio(restore), 2)}× restic's (goal ≤ 1.5×); ` +
        `speed ${fixed(restore.restic.wallSeconds / restore.floe.wallSeconds, 2)}× restic's (goal ≥ 0.5×)`,
    );
  console.log(
    `peak RSS: ${rows.map((r) => `${r.name.split(' (')[0]} ${fixed(r.floe.peakRssKiB / 1024, 0)} MiB`).join(', ')} (goal ≤ 300 MiB)`,
  );
  if (trees.dedup)
    console.log(
      `dedup: stored / logical bytes Floe ${fixed(dedup.floe / trees.dedupBytes, 3)}, restic ${fixed(dedup.restic / trees.dedupBytes, 3)} (ideal 0.25)`,
    );
}

/** Compiles core/ and bench/ into dist/, so that Floe's processes run as installed. */
async function buildFloe(): Promise<void> {
  const t = performance.now();
  const project = fileURLToPath(new URL('./tsconfig.json', import.meta.url));
  await execFileP(process.execPath, [TSC, '-p', project]);
  console.log(`built dist/ in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  await buildFloe();
  // Fail before generating data if a tool is missing.
  await execFileP(GNU_TIME, ['--version']);
  const resticVersion = (await execFileP(RESTIC, ['version'])).stdout.split(' ')[1];
  const root = await mkdtemp(join(tmpdir(), 'floe-bench-backup-'));
  const removeRoot = () => rmSync(root, { recursive: true, force: true });
  // Ctrl-C reaches the child processes too; this removes the gigabytes they leave behind.
  process.once('SIGINT', () => {
    removeRoot();
    process.exit(130);
  });
  try {
    console.log(
      `backup bench: Floe (localnet: 10 nodes, ${plan.shards} shards, its own process) vs restic ${resticVersion} (local repository), ${new Date().toISOString()}, load ${loadAverage()}`,
    );
    const t = performance.now();
    const trees = generateTrees(join(root, 'data'), { ...plan, mixedOnly: plan.backupOnly });
    console.log(`generated the trees in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const { rows, dedupStored } = await measure(plan, root, trees);
    printTable(rows);
    printGoals(rows, dedupStored, trees);
    console.log(`load average at the end: ${loadAverage()}`);
  } finally {
    removeRoot();
  }
}

await main();
