/**
 * `floe localnet start` as a user runs it: a child process, ready once it has written
 * `localnet.json`; `stop` ends it by its pid and waits for it to exit.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalnetInfo } from '../../core/localnet/info.js';

export interface LocalnetProcess {
  info: LocalnetInfo;
  /** What it printed so far. */
  stdout(): string;
  stop(): Promise<void>;
}

/** A 4-node, 10-shard network in `dir`, with `args` added to the command line. */
export async function startLocalnetProcess(
  dir: string,
  args: string[] = [],
  /** Run as another user (a test that needs an unprivileged Floe). */
  as: { uid: number; gid: number } | null = null,
): Promise<LocalnetProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'core/cli/bin.ts',
      'localnet',
      'start',
      '--data',
      dir,
      '--nodes',
      '4',
      '--shards',
      '10',
      ...args,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], ...(as ?? {}) },
  );
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  const stop = async () => {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
  };
  const file = join(dir, 'localnet.json');
  const deadline = Date.now() + 20_000;
  while (!(await stat(file).catch(() => null))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`floe localnet start did not write ${file}: ${stdout}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // The summary is printed right after the file is written.
  while (!/Press Ctrl-C/.test(stdout) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const info = JSON.parse(await readFile(file, 'utf8')) as LocalnetInfo;
  return { info, stdout: () => stdout, stop };
}
