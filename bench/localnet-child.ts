/**
 * The localnet for bench/backup.ts in a process of its own, started as a user starts it
 * (`floe localnet start`), so that its CPU and memory are measured apart from the
 * client's and the client's are its own.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed command, compiled (bench/backup.ts builds dist/ first). */
const CLI = fileURLToPath(new URL('../dist/core/cli/bin.js', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface LocalnetChild {
  ledgerUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Ten nodes with `shards` shards in `dir`; `nodeArgs` go to its node (`--cpu-prof`). Epochs last 500 hours (setTimeout's limit is 596), so none changes during
 * the run: no store straddles an epoch change and no node starts recovery mid-run.
 */
export async function startLocalnet(
  dir: string,
  shards: number,
  nodeArgs: string[] = [],
): Promise<LocalnetChild> {
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      CLI,
      'localnet',
      'start',
      '--data',
      dir,
      '--nodes',
      '10',
      '--shards',
      String(shards),
      '--epoch-duration',
      '500h',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  };
  const file = join(dir, 'localnet.json');
  const deadline = Date.now() + START_TIMEOUT_MS;
  // localnet.json is written once the network is up; the summary follows it at once.
  while (!(await stat(file).catch(() => null)) || !/Press Ctrl-C/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`floe localnet start did not come up: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(await readFile(file, 'utf8')) as { ledgerUrl: string };
  return { ledgerUrl: info.ledgerUrl, pid: child.pid!, stop };
}
