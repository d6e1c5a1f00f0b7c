/**
 * Floe against restic on the same data in the same run: cold backup, no-change rescan,
 * edit-one-file latency, restore, dedup and peak RSS.
 *
 * Floe runs its product path — runBackup, findSnapshots and restoreSnapshot through a
 * WalrusClient and a default CodecPool — against a localnet of 10 storage nodes that this
 * process hosts; Floe's steps run in a child process so that its peak RSS is the client's
 * own, without the nodes. restic backs up to a local repository in the same temp dir.
 *
 *   npm run bench:backup                    # 1 GiB mixed tree, 100k-file rescan, 100 shards
 *   npm run bench:backup -- --quick         # 64 MiB, 2000 small files, 5000-file rescan
 *   npm run bench:backup -- --size 4096 --files 200000 --shards 1000
 */
import { execFile, spawn } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { open, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Index } from '../core/index/index.js';
import { Localnet } from '../core/localnet/network.js';
import { deriveKeys, generateRecoveryPhrase } from '../core/repo/keys.js';
import { runBackup, type BackupContext } from '../core/sync/backup.js';
import { findSnapshots, restoreSnapshot } from '../core/sync/restore.js';
import { LocalChain } from '../core/walrus/chain/local-chain.js';
import { WalrusClient } from '../core/walrus/client/client.js';
import { CodecPool } from '../core/walrus/encoding/pool.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const RESTIC = '/usr/bin/restic';
const GNU_TIME = '/usr/bin/time';
const EDIT_BYTES = 4 * KiB;
/** Generated files are written in pieces of this size, so a big file never sits in memory. */
const PIECE = 16 * MiB;

const execFileP = promisify(execFile);

interface Plan {
  sizeMiB: number;
  smallFiles: number;
  rescanFiles: number;
  shards: number;
}

interface Trees {
  mixed: string;
  mixedFiles: number;
  mixedBytes: number;
  /** The big file that the edit step changes. */
  bigFile: string;
  rescan: string;
  dedup: string;
  dedupBytes: number;
}

/** One tool's raw measurements; the table derives rates and ratios from them. */
interface Measured {
  coldSeconds: number;
  rescanSeconds: number;
  editSeconds: number;
  restoreSeconds: number;
  dedupStoredBytes: number;
  peakRssKiB: number;
}

interface FloeJob {
  ledgerUrl: string;
  work: string;
  trees: Trees;
}

type Random = (n: number) => Buffer;

function parsePlan(args: string[]): Plan {
  const quick = args.includes('--quick');
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    if (at < 0) return fallback;
    const value = Number(args[at + 1]);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} takes a positive integer`);
    return value;
  };
  return {
    sizeMiB: option('--size', quick ? 64 : 1024),
    smallFiles: quick ? 2000 : 4000,
    rescanFiles: option('--files', quick ? 5000 : 100_000),
    shards: option('--shards', 100),
  };
}

/**
 * Incompressible bytes at memory speed: an AES-256-CTR keystream under a random key. It
 * never repeats, so no two files share content by accident and all the dedup the tools
 * find is dedup the bench put there on purpose.
 */
function keystream(): Random {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

function writeRandomFile(path: string, size: number, random: Random): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size; done += PIECE)
      writeSync(fd, random(Math.min(PIECE, size - done)));
  } finally {
    closeSync(fd);
  }
}

const sum = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);

/**
 * A home-folder-like mix of `sizeMiB` exactly: small files of 1–64 KiB (log-uniform, so
 * most are a few KiB), three big files of an eighth of the total each, and medium files
 * of 1–8 MiB filling the rest.
 */
function generateMixedTree(root: string, plan: Plan, random: Random) {
  const total = plan.sizeMiB * MiB;
  const small = Array.from({ length: plan.smallFiles }, () =>
    Math.round(KiB * 64 ** Math.random()),
  );
  const big = [0, 1, 2].map(() => Math.floor(total / 8));
  let rest = total - sum(small) - sum(big);
  if (rest < 0)
    throw new Error(`--size ${plan.sizeMiB} leaves no room for ${plan.smallFiles} small files`);
  const medium: number[] = [];
  while (rest > 0) {
    const size = Math.min(rest, MiB + Math.floor(Math.random() * 7 * MiB));
    medium.push(size);
    rest -= size;
  }

  // Small files sit 100 to a directory, as in a source tree or a photo library.
  small.forEach((size, i) => {
    const dir = join(root, 'small', String(Math.floor(i / 100)));
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeRandomFile(join(dir, `${i}.bin`), size, random);
  });
  for (const [kind, sizes] of [
    ['medium', medium],
    ['big', big],
  ] as const) {
    mkdirSync(join(root, kind));
    sizes.forEach((size, i) => writeRandomFile(join(root, kind, `${i}.bin`), size, random));
  }
  return {
    mixed: root,
    mixedFiles: small.length + medium.length + big.length,
    mixedBytes: total,
    bigFile: join(root, 'big', '0.bin'),
  };
}

/** `count` files of 100 bytes, 1000 to a directory: what a no-change rescan walks. */
function generateRescanTree(root: string, count: number, random: Random): string {
  for (let i = 0; i < count; i++) {
    const dir = join(root, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeRandomFile(join(dir, `${i}.txt`), 100, random);
  }
  return root;
}

/**
 * The same data four times: three exact copies and one with 1 KiB inserted at the front,
 * which only content-defined chunking dedups. The copy is a 32nd of the mixed tree, but
 * at least 8 MiB, so that it spans several chunks of both tools' ~1 MiB average.
 */
function generateDedupTree(root: string, plan: Plan, random: Random) {
  const data = random(Math.max(8 * MiB, (plan.sizeMiB * MiB) / 32));
  mkdirSync(root);
  for (const name of ['copy-1', 'copy-2', 'copy-3']) writeFileSync(join(root, `${name}.bin`), data);
  const shifted = Buffer.concat([random(KiB), data]);
  writeFileSync(join(root, 'shifted.bin'), shifted);
  return { dedup: root, dedupBytes: 3 * data.length + shifted.length };
}

function generateTrees(root: string, plan: Plan): Trees {
  const random = keystream();
  return {
    ...generateMixedTree(join(root, 'mixed'), plan, random),
    rescan: generateRescanTree(join(root, 'rescan'), plan.rescanFiles, random),
    ...generateDedupTree(join(root, 'dedup'), plan, random),
  };
}

/** Overwrites 4 KiB in the middle of `file` with fresh bytes: one changed chunk, a new mtime. */
async function editMiddle(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    await handle.write(randomBytes(EDIT_BYTES), 0, EDIT_BYTES, Math.floor(size / 2));
  } finally {
    await handle.close();
  }
}

/** A restore that returned without error but wrote too little must not count as fast. */
async function checkRestored(dir: string, trees: Trees): Promise<void> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await stat(join(e.parentPath, e.name))).size;
  }
  if (files !== trees.mixedFiles || bytes !== trees.mixedBytes)
    throw new Error(
      `restore wrote ${files} files, ${bytes} bytes; the tree has ${trees.mixedFiles}, ${trees.mixedBytes}`,
    );
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, seconds: (performance.now() - t) / 1000 };
}

/** A fresh account and local index per tree, like restic's repository per tree. */
async function openFloeRepo(
  job: FloeJob,
  pool: CodecPool,
  name: string,
  folder: string,
): Promise<BackupContext> {
  const keys = deriveKeys(generateRecoveryPhrase());
  const chain = new LocalChain(job.ledgerUrl, keys.account);
  await chain.faucet(chain.address);
  const index = Index.open(join(job.work, `${name}.db`));
  index.addFolder(folder);
  return { index, keys, client: new WalrusClient({ chain, pool }), epochs: 5 };
}

/** Floe's whole sequence; runs in the child process (see floeInChild). */
async function measureFloe(job: FloeJob): Promise<Measured> {
  const { trees } = job;
  const pool = new CodecPool();
  try {
    const mixed = await openFloeRepo(job, pool, 'mixed', trees.mixed);
    const cold = await timed(() => runBackup(mixed));
    console.error(
      `floe: cold backup ${cold.seconds.toFixed(1)} s, ${cold.value.files} files, ${cold.value.packs} packs`,
    );

    // From the chain alone, as on a new machine: list the snapshots, restore the newest.
    const target = join(job.work, 'restore');
    const restore = await timed(async () => {
      const [latest] = await findSnapshots(mixed.client, mixed.keys);
      if (!latest) throw new Error('the cold backup left no snapshot on chain');
      return restoreSnapshot(mixed.client, mixed.keys, latest.snapshot, { target });
    });
    await checkRestored(target, trees);
    await rm(target, { recursive: true });
    console.error(`floe: restore ${restore.seconds.toFixed(1)} s`);

    await editMiddle(trees.bigFile);
    const edit = await timed(() => runBackup(mixed));
    console.error(
      `floe: edit backup ${edit.seconds.toFixed(1)} s, ${edit.value.newBytes} new bytes`,
    );

    const rescan = await openFloeRepo(job, pool, 'rescan', trees.rescan);
    const first = await timed(() => runBackup(rescan));
    const again = await timed(() => runBackup(rescan));
    if (again.value.files !== 0)
      throw new Error(`the no-change backup re-read ${again.value.files} files`);
    console.error(
      `floe: ${first.value.files} small files first backup ${first.seconds.toFixed(1)} s, no-change ${again.seconds.toFixed(1)} s`,
    );

    const dedupRepo = await openFloeRepo(job, pool, 'dedup', trees.dedup);
    const dedup = await runBackup(dedupRepo);
    console.error(`floe: dedup tree ${dedup.newBytes} new bytes`);

    for (const ctx of [mixed, rescan, dedupRepo]) ctx.index.close();
    return {
      coldSeconds: cold.seconds,
      rescanSeconds: again.seconds,
      editSeconds: edit.seconds,
      restoreSeconds: restore.seconds,
      dedupStoredBytes: dedup.newBytes,
      // KiB; the codec workers are threads of this process, so they are included.
      peakRssKiB: process.resourceUsage().maxRSS,
    };
  } finally {
    await pool.close();
  }
}

/**
 * Runs measureFloe in a child process and returns what it printed. Asynchronously: the
 * localnet the child stores to is served by this process's event loop meanwhile.
 */
async function floeInChild(job: FloeJob): Promise<Measured> {
  const self = fileURLToPath(import.meta.url);
  const child = spawn(
    process.execPath,
    [...process.execArgv, self, '--floe-child', JSON.stringify(job)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`the Floe child process exited with ${code}`);
  return JSON.parse(out) as Measured;
}

/**
 * Ten nodes with `--shards` shards, as `floe` starts its embedded localnet. Epochs do not
 * advance, so no store straddles an epoch change and no node starts recovery mid-run.
 */
async function floeAgainstLocalnet(plan: Plan, root: string, trees: Trees): Promise<Measured> {
  const net = await Localnet.start({
    dir: join(root, 'localnet'),
    nodes: 10,
    nShards: plan.shards,
    autoAdvance: false,
  });
  try {
    const work = join(root, 'floe');
    mkdirSync(work);
    return await floeInChild({ ledgerUrl: net.url, work, trees });
  } finally {
    await net.stop();
  }
}

interface ResticSummary {
  files_new: number;
  files_changed: number;
  data_added: number;
}

/**
 * restic commands against local repositories in `work`, each run under GNU time, whose
 * `%M` is the ru_maxrss that wait4 returned for the restic process: the kernel's exact
 * peak, where polling /proc/PID/status for VmHWM could miss the last moments before
 * exit. Node cannot read it itself: process.resourceUsage() is RUSAGE_SELF and
 * child_process reports no rusage. restic's peak is that of its largest command.
 */
class Restic {
  peakRssKiB = 0;

  constructor(private readonly work: string) {}

  repo(name: string): string {
    return join(this.work, `repo-${name}`);
  }

  /** Wall time of the whole command, start-up and key derivation included: what a user waits. */
  async run(repo: string, ...args: string[]): Promise<{ stdout: string; seconds: number }> {
    const rssFile = join(this.work, 'rss');
    const cache = join(this.work, 'cache');
    const { value, seconds } = await timed(() =>
      execFileP(
        GNU_TIME,
        ['-f', '%M', '-o', rssFile, RESTIC, '--repo', repo, '--cache-dir', cache, ...args],
        { env: { ...process.env, RESTIC_PASSWORD: 'bench' }, maxBuffer: 64 * MiB },
      ),
    );
    this.peakRssKiB = Math.max(this.peakRssKiB, Number((await readFile(rssFile, 'utf8')).trim()));
    return { stdout: value.stdout, seconds };
  }

  async backup(repo: string, dir: string): Promise<{ summary: ResticSummary; seconds: number }> {
    const { stdout, seconds } = await this.run(repo, 'backup', '--json', dir);
    const summary = stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as ResticSummary & { message_type: string })
      .find((m) => m.message_type === 'summary');
    if (!summary) throw new Error(`restic backup of ${dir} printed no summary`);
    return { summary, seconds };
  }
}

/** restic's sequence, step for step the same as measureFloe's. */
async function measureRestic(trees: Trees, work: string): Promise<Measured> {
  mkdirSync(work);
  const restic = new Restic(work);
  const mixed = restic.repo('mixed');
  await restic.run(mixed, 'init');
  const cold = await restic.backup(mixed, trees.mixed);
  console.log(`restic: cold backup ${cold.seconds.toFixed(1)} s`);

  const target = join(work, 'restore');
  const restore = await restic.run(mixed, 'restore', 'latest', '--target', target);
  // restic restores the backed-up absolute path beneath the target.
  await checkRestored(join(target, trees.mixed), trees);
  await rm(target, { recursive: true });
  console.log(`restic: restore ${restore.seconds.toFixed(1)} s`);

  await editMiddle(trees.bigFile);
  const edit = await restic.backup(mixed, trees.mixed);
  console.log(
    `restic: edit backup ${edit.seconds.toFixed(1)} s, ${edit.summary.data_added} bytes added`,
  );

  const rescan = restic.repo('rescan');
  await restic.run(rescan, 'init');
  const first = await restic.backup(rescan, trees.rescan);
  const again = await restic.backup(rescan, trees.rescan);
  const reread = again.summary.files_new + again.summary.files_changed;
  if (reread !== 0) throw new Error(`restic's no-change backup saw ${reread} new or changed files`);
  console.log(
    `restic: small files first backup ${first.seconds.toFixed(1)} s, no-change ${again.seconds.toFixed(1)} s`,
  );

  const dedupRepo = restic.repo('dedup');
  await restic.run(dedupRepo, 'init');
  const dedup = await restic.backup(dedupRepo, trees.dedup);
  console.log(`restic: dedup tree ${dedup.summary.data_added} bytes added`);

  return {
    coldSeconds: cold.seconds,
    rescanSeconds: again.seconds,
    editSeconds: edit.seconds,
    restoreSeconds: restore.seconds,
    dedupStoredBytes: dedup.summary.data_added,
    peakRssKiB: restic.peakRssKiB,
  };
}

function printTable(plan: Plan, trees: Trees, floe: Measured, restic: Measured): void {
  const mbps = (bytes: number, seconds: number) => bytes / 1e6 / seconds;
  const rows: [string, number, number, number][] = [
    [
      `cold backup MB/s (${plan.sizeMiB} MiB, ${trees.mixedFiles} files)`,
      mbps(trees.mixedBytes, floe.coldSeconds),
      mbps(trees.mixedBytes, restic.coldSeconds),
      1,
    ],
    [`no-change rescan s (${plan.rescanFiles} files)`, floe.rescanSeconds, restic.rescanSeconds, 2],
    [
      `edit 4 KiB of a ${+(plan.sizeMiB / 8).toFixed(1)} MiB file → backup done s`,
      floe.editSeconds,
      restic.editSeconds,
      2,
    ],
    [
      'restore MB/s (latest snapshot, empty dir)',
      mbps(trees.mixedBytes, floe.restoreSeconds),
      mbps(trees.mixedBytes, restic.restoreSeconds),
      1,
    ],
    [
      `dedup: stored / logical bytes (${(trees.dedupBytes / MiB).toFixed(0)} MiB, ideal 0.25)`,
      floe.dedupStoredBytes / trees.dedupBytes,
      restic.dedupStoredBytes / trees.dedupBytes,
      3,
    ],
    ['peak RSS MiB (whole sequence)', floe.peakRssKiB / 1024, restic.peakRssKiB / 1024, 0],
  ];
  console.log('\n| figure | Floe | restic | Floe/restic |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [name, f, r, digits] of rows)
    console.log(
      `| ${name} | ${f.toFixed(digits)} | ${r.toFixed(digits)} | ${(f / r).toFixed(2)} |`,
    );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const childAt = args.indexOf('--floe-child');
  if (childAt >= 0) {
    process.stdout.write(JSON.stringify(await measureFloe(JSON.parse(args[childAt + 1]!))));
    return;
  }
  const plan = parsePlan(args);
  // Fail before generating data if either tool is missing.
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
      `backup bench: Floe (10 nodes, ${plan.shards} shards, localnet in the bench process) vs restic ${resticVersion} (local repository), ${new Date().toISOString()}`,
    );
    const t = performance.now();
    const trees = generateTrees(join(root, 'data'), plan);
    console.log(`generated the trees in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const floe = await floeAgainstLocalnet(plan, root, trees);
    const restic = await measureRestic(trees, join(root, 'restic'));
    printTable(plan, trees, floe, restic);
  } finally {
    removeRoot();
  }
}

await main();
