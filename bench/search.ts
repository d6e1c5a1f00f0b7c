/**
 * Search over a long history, Floe against restic on the same data in the same run: a
 * 100,000-file tree backed up 100 times with a few files changed each time, then the
 * same questions asked of both — a name, a common word, a glob, a word under one folder,
 * and every version of one file.
 *
 * restic backs the tree up to a local repository 100 times and answers with `restic find`
 * (one process per query, which walks the snapshots' trees). Floe's search index is fed
 * exactly what a backup feeds it when it commits a snapshot: every tree of the folder,
 * built the way runBackup builds them (canonical tree bytes, keyed chunk ids), through the
 * backup's own hook (`BuiltTrees` → `SearchIndex.addSnapshot`), into a real SQLite index
 * file; the backups themselves — scan, chunk, upload — are `bench:backup`'s business.
 * Queries then run in this process as the API runs them (`findPaths`, `pathVersions`).
 *
 *   npm run bench:search                              # 100,000 files, 100 snapshots
 *   npm run bench:search -- --quick                   # 10,000 files, 20 snapshots
 *   npm run bench:search -- --files 200000 --snapshots 300 --changes 10
 */
import { execFile } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Index } from '../core/index/index.js';
import { chunkId, chunkIdHex } from '../core/repo/chunk-id.js';
import { deriveKeys, generateRecoveryPhrase, type RepoKeys } from '../core/repo/keys.js';
import { newSnapshotId, type Snapshot } from '../core/repo/snapshot.js';
import { encodeTree, type TreeEntry } from '../core/repo/tree.js';
import { findPaths, type FindQuery } from '../core/sync/find.js';
import { BuiltTrees, SearchIndex } from '../core/sync/search-index.js';
import { pathVersions } from '../core/sync/versions.js';

const RESTIC = '/usr/bin/restic';
const GNU_TIME = '/usr/bin/time';
const execFileP = promisify(execFile);

interface Plan {
  files: number;
  snapshots: number;
  /** Files rewritten before each snapshot after the first (one of them always the same). */
  changes: number;
  /** Each query runs this many times; the table shows the median. */
  runs: number;
}

function parsePlan(args: string[]): Plan {
  const quick = args.includes('--quick');
  const option = (name: string, fallback: number): number => {
    const at = args.indexOf(name);
    return at >= 0 ? Number(args[at + 1]) : fallback;
  };
  return {
    files: option('--files', quick ? 10_000 : 100_000),
    snapshots: option('--snapshots', quick ? 20 : 100),
    changes: option('--changes', 5),
    runs: option('--runs', 3),
  };
}

const EXTENSIONS = ['txt', 'pdf', 'jpg', 'md', 'doc', 'png', 'csv', 'odt', 'mp3', 'xml'];
const FILES_PER_DIR = 100;
const SUBDIRS = 10;

/**
 * The tree: top folders d000… of ten sub-folders s0…s9 of 100 files each; every 100th file
 * is a "Report-N.pdf", the rest "file-N.ext" with ten extensions in turn.
 */
function fileName(n: number): string {
  const id = String(n).padStart(6, '0');
  return n % 100 === 50 ? `Report-${id}.pdf` : `file-${id}.${EXTENSIONS[n % EXTENSIONS.length]}`;
}

function dirOf(n: number): string {
  const sub = Math.floor(n / FILES_PER_DIR);
  return `d${String(Math.floor(sub / SUBDIRS)).padStart(3, '0')}/s${sub % SUBDIRS}`;
}

function relPath(n: number): string {
  return `${dirOf(n)}/${fileName(n)}`;
}

function content(n: number, round: number): string {
  return `file ${n}, as of snapshot ${round}\n`;
}

/** The files each snapshot after the first rewrites: file 0 every time, the rest spread out. */
function changedIn(round: number, plan: Plan): number[] {
  const picks = [0];
  for (let i = 1; i < plan.changes; i++) picks.push((round * 7919 + i * 104_729) % plan.files);
  return [...new Set(picks)];
}

/**
 * What the backup keeps of the folder between runs: each file's entry. Trees are built
 * from it the way runBackup's buildTrees builds them from a scan.
 */
class FolderModel {
  readonly files = new Map<number, TreeEntry>();

  constructor(private readonly keys: RepoKeys) {}

  set(n: number, round: number, timeMs: number): void {
    const bytes = new TextEncoder().encode(content(n, round));
    this.files.set(n, {
      name: new TextEncoder().encode(fileName(n)),
      type: 'file',
      size: bytes.length,
      mtimeNs: (BigInt(timeMs) * 1_000_000n).toString(),
      mode: 0o100644,
      chunks: [chunkIdHex(chunkId(this.keys.chunkIdKey, bytes))],
    });
  }

  /** Every tree of the folder, bottom up, into `built`; returns the root tree's id. */
  buildTrees(built: BuiltTrees, plan: Plan): string {
    const dirEntry = (name: string, subtree: string): TreeEntry => ({
      name: new TextEncoder().encode(name),
      type: 'dir',
      size: 4096,
      mtimeNs: '0',
      mode: 0o40755,
      subtree,
    });
    const store = (entries: TreeEntry[]): string => {
      const encoded = encodeTree(entries);
      const id = chunkIdHex(chunkId(this.keys.chunkIdKey, encoded));
      built.add(id, encoded);
      return id;
    };
    const subdirs = Math.ceil(plan.files / FILES_PER_DIR);
    const top: TreeEntry[] = [];
    for (let d = 0; d * SUBDIRS < subdirs; d++) {
      const subs: TreeEntry[] = [];
      for (let s = 0; s < SUBDIRS && d * SUBDIRS + s < subdirs; s++) {
        const first = (d * SUBDIRS + s) * FILES_PER_DIR;
        const files: TreeEntry[] = [];
        for (let n = first; n < Math.min(first + FILES_PER_DIR, plan.files); n++)
          files.push(this.files.get(n)!);
        subs.push(dirEntry(`s${s}`, store(files)));
      }
      top.push(dirEntry(`d${String(d).padStart(3, '0')}`, store(subs)));
    }
    return store(top);
  }
}

function cpuMs(fn: () => void): { wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

async function cpuMsAsync(fn: () => Promise<void>): Promise<{ wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const c = process.cpuUsage(c0);
  return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface FloeIndexFigures {
  firstMs: { wallMs: number; cpuMs: number };
  /** Median over the snapshots after the first: the backup hook's cost per snapshot. */
  nextMs: { wallMs: number; cpuMs: number };
  totalCpuMs: number;
  treeBuildCpuMs: number;
  trees: number;
  entries: number;
  dbBytes: number;
}

async function buildFloeIndex(
  index: Index,
  keys: RepoKeys,
  folder: string,
  plan: Plan,
): Promise<FloeIndexFigures> {
  const model = new FolderModel(keys);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const search = new SearchIndex(index);
  const hook: { wallMs: number; cpuMs: number }[] = [];
  let treeBuildCpuMs = 0;
  let parent: string | null = null;
  for (let round = 0; round < plan.snapshots; round++) {
    const time = start + round * 3_600_000;
    if (round === 0) for (let n = 0; n < plan.files; n++) model.set(n, 0, time);
    else for (const n of changedIn(round, plan)) model.set(n, round, time);
    const built = new BuiltTrees(index);
    let root = '';
    treeBuildCpuMs += cpuMs(() => (root = model.buildTrees(built, plan))).cpuMs;
    const snapshot: Snapshot = {
      version: 1,
      id: newSnapshotId(),
      time: new Date(time).toISOString(),
      hostname: 'bench',
      roots: [{ path: folder, tree: root }],
      parent,
      tags: [],
      stats: { files: 0, bytes: 0 },
      indexBlobs: [],
    };
    parent = snapshot.id;
    index.addSnapshot(snapshot, null, null);
    hook.push(await cpuMsAsync(() => search.addSnapshot(snapshot, built).then(() => undefined)));
  }
  index.close();
  const counts = Index.open(index.path).search.counts();
  const next = hook.slice(1);
  return {
    firstMs: hook[0]!,
    nextMs: {
      wallMs: median(next.map((h) => h.wallMs)),
      cpuMs: median(next.map((h) => h.cpuMs)),
    },
    totalCpuMs: hook.reduce((n, h) => n + h.cpuMs, 0),
    treeBuildCpuMs,
    trees: counts.trees,
    entries: counts.entries,
    dbBytes: statSync(index.path).size,
  };
}

class Restic {
  constructor(
    private readonly repo: string,
    private readonly cache: string,
  ) {}

  /** One command, timed by GNU time: wall and CPU (user + system) seconds. */
  async run(...args: string[]): Promise<{ stdout: string; wallS: number; cpuS: number }> {
    const out = `${this.repo}.time`;
    const { stdout } = await execFileP(
      GNU_TIME,
      [
        '-f',
        '%e %U %S',
        '-o',
        out,
        RESTIC,
        '--repo',
        this.repo,
        '--cache-dir',
        this.cache,
        ...args,
      ],
      { env: { ...process.env, RESTIC_PASSWORD: 'bench' }, maxBuffer: 1 << 30 },
    );
    const [wall, user, sys] = (await readFile(out, 'utf8')).trim().split(/\s+/).map(Number);
    return { stdout, wallS: wall!, cpuS: user! + sys! };
  }
}

interface Row {
  name: string;
  floe: { paths: number; wallMs: number; cpuMs: number };
  restic: { hits: number; wallS: number; cpuS: number };
}

async function main(): Promise<void> {
  const plan = parsePlan(process.argv.slice(2));
  await execFileP(GNU_TIME, ['--version']);
  const resticVersion = (await execFileP(RESTIC, ['version'])).stdout.split(' ')[1];
  const work = await mkdtemp(join(tmpdir(), 'floe-bench-search-'));
  try {
    const tree = join(work, 'tree');
    console.log(
      `plan: ${plan.files} files, ${plan.snapshots} snapshots, ${plan.changes} files changed per snapshot; restic ${resticVersion}; load ${(await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')}`,
    );
    for (let n = 0; n < plan.files; n++) {
      if (n % FILES_PER_DIR === 0) mkdirSync(join(tree, dirOf(n)), { recursive: true });
      writeFileSync(join(tree, relPath(n)), content(n, 0));
    }

    // restic: the same tree, the same changes, one snapshot each.
    const restic = new Restic(join(work, 'restic-repo'), join(work, 'restic-cache'));
    await restic.run('init');
    let resticBackupS = 0;
    for (let round = 0; round < plan.snapshots; round++) {
      if (round > 0)
        for (const n of changedIn(round, plan))
          writeFileSync(join(tree, relPath(n)), content(n, round));
      resticBackupS += (await restic.run('backup', '--quiet', tree)).wallS;
      if (round % 10 === 9) console.log(`restic: ${round + 1} snapshots`);
    }

    // Floe: the search index, fed snapshot by snapshot as the backups would.
    const keys = deriveKeys(generateRecoveryPhrase());
    const index = Index.open(join(work, 'index.db'));
    const built = await buildFloeIndex(index, keys, tree, plan);
    const floeIndex = Index.open(join(work, 'index.db'));

    const rare = 4217 % plan.files;
    const hot = relPath(0);
    // A top folder about 42 % of the way through the tree (d042 of 100).
    const topFolders = Math.ceil(plan.files / (FILES_PER_DIR * SUBDIRS));
    const middle = `d${String(Math.floor(topFolders * 0.42)).padStart(3, '0')}`;
    const queries: {
      name: string;
      floe: () => number;
      restic: string[];
    }[] = [
      {
        name: `a name: "${fileName(rare).slice(0, 11)}" (substring)`,
        floe: () => findPaths(floeIndex, { pattern: fileName(rare).slice(0, 11) }).total,
        restic: ['find', '-i', `*${fileName(rare).slice(0, 11)}*`],
      },
      {
        name: 'a common word: "report" (substring)',
        floe: () => findPaths(floeIndex, { pattern: 'report' }).total,
        restic: ['find', '-i', '*report*'],
      },
      {
        name: 'a glob: "*.pdf"',
        floe: () => findPaths(floeIndex, { pattern: '*.pdf' }).total,
        restic: ['find', '-i', '*.pdf'],
      },
      {
        name: `"report" under ${middle}/`,
        floe: () =>
          findPaths(floeIndex, { pattern: 'report', under: middle } satisfies FindQuery).total,
        restic: ['find', '-i', `${tree}/${middle}/**/*report*`],
      },
      {
        name: `every version of ${hot}`,
        floe: () => pathVersions(floeIndex, tree, hot).versions.length,
        restic: ['find', `${tree}/${hot}`],
      },
    ];

    const rows: Row[] = [];
    for (const q of queries) {
      let paths = 0;
      const floeRuns = Array.from({ length: plan.runs }, () => cpuMs(() => (paths = q.floe())));
      const resticRuns: { stdout: string; wallS: number; cpuS: number }[] = [];
      for (let i = 0; i < plan.runs; i++) resticRuns.push(await restic.run(...q.restic));
      // restic prints one line per hit per snapshot, under a header per snapshot.
      const hits = resticRuns[0]!.stdout.split('\n').filter((l) => l.startsWith('/')).length;
      rows.push({
        name: q.name,
        floe: {
          paths,
          wallMs: median(floeRuns.map((r) => r.wallMs)),
          cpuMs: median(floeRuns.map((r) => r.cpuMs)),
        },
        restic: {
          hits,
          wallS: median(resticRuns.map((r) => r.wallS)),
          cpuS: median(resticRuns.map((r) => r.cpuS)),
        },
      });
      console.log(`${q.name}: Floe ${paths} paths, restic ${hits} hits`);
    }
    floeIndex.close();

    console.log(
      `\nrestic: ${plan.snapshots} backups took ${resticBackupS.toFixed(0)} s; Floe's index: first snapshot ${built.firstMs.cpuMs.toFixed(0)} ms CPU, each next one ${built.nextMs.cpuMs.toFixed(1)} ms CPU (median), ${(built.totalCpuMs / 1000).toFixed(1)} s CPU for all ${plan.snapshots} (building the trees, which a backup does anyway: ${(built.treeBuildCpuMs / 1000).toFixed(1)} s); ${built.trees} trees, ${built.entries} entries, ${(built.dbBytes / 2 ** 20).toFixed(1)} MiB of SQLite`,
    );
    console.log(
      '\n| query | Floe: paths (versions) | restic: hits | Floe ms (CPU) | restic s (CPU) | restic CPU / Floe CPU |',
    );
    console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const r of rows)
      console.log(
        `| ${r.name} | ${r.floe.paths} | ${r.restic.hits} | ${r.floe.wallMs.toFixed(1)} (${r.floe.cpuMs.toFixed(1)}) | ${r.restic.wallS.toFixed(2)} (${r.restic.cpuS.toFixed(2)}) | ${((r.restic.cpuS * 1000) / Math.max(r.floe.cpuMs, 0.1)).toFixed(0)}× |`,
      );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
