/**
 * A localnet that outlives the command that needed it: the user's local Walrus network,
 * which every data directory on the machine uses (core/session/localnet.ts picks its
 * directory). It is started in the background on first use — a detached `floe localnet
 * start`, whose localnet.json records its pid and URL — and keeps running, so epochs
 * advance in real time and renewals behave as on a real network, until `floe localnet
 * stop`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, lockIndex, IndexBusyError, type IndexLock } from '../index/lock.js';
import { runningLocalnet, type LocalnetInfo } from './info.js';

/**
 * Walrus testnet's epoch: blobs bought for a few epochs outlive a laptop's night off, and
 * renewal has something to do over days, as on the real networks.
 */
export const BACKGROUND_EPOCH = '1d';
/** Ten nodes and a hundred shards start in a few seconds; a loaded machine needs more. */
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 200;

export class LocalnetStartError extends Error {
  constructor(dir: string, why: string, log: string) {
    super(
      `the local network in ${dir} did not start: ${why}` +
        (log ? `. Its log (${join(dir, 'localnet.log')}) ends:\n${log}` : ''),
    );
    this.name = 'LocalnetStartError';
  }
}

/** The network running in `dir`, started in the background first when none answers. */
export async function ensureLocalnet(
  dir: string,
  timeoutMs = START_TIMEOUT_MS,
): Promise<LocalnetInfo> {
  const running = await runningLocalnet(dir);
  if (running) return running;
  await mkdir(dir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  // Two commands starting at once must not start two networks over one directory.
  const lock = await waitForLock(join(dir, 'start.lock'), deadline);
  try {
    return (await runningLocalnet(dir)) ?? (await startInBackground(dir, deadline));
  } finally {
    await lock.release();
  }
}

/** Stops the network running in `dir` by the pid it recorded; null when none runs there. */
export async function stopLocalnet(dir: string): Promise<number | null> {
  const info = await runningLocalnet(dir);
  if (!info) return null;
  if (info.pid === undefined)
    throw new Error(`the localnet in ${dir} records no pid: stop it where it was started`);
  process.kill(info.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(info.pid)) {
    if (Date.now() > deadline)
      throw new Error(
        `the localnet (pid ${info.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s`,
      );
    await sleep(POLL_MS);
  }
  return info.pid;
}

async function startInBackground(dir: string, deadline: number): Promise<LocalnetInfo> {
  const logPath = join(dir, 'localnet.log');
  const log = openSync(logPath, 'a');
  const args = ['localnet', 'start', '--data', dir, '--epoch-duration', BACKGROUND_EPOCH];
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [...floeCommand(), ...args], {
      cwd: dir,
      detached: true,
      stdio: ['ignore', log, log],
      env: childEnv(),
    });
  } finally {
    closeSync(log); // the child has its own copy
  }
  let exited: string | null = null;
  child.once('error', (error) => (exited = error.message));
  child.once('exit', (code, signal) => (exited = `it exited with ${signal ?? code}`));
  child.unref();
  for (;;) {
    const info = await runningLocalnet(dir);
    if (info && info.pid === child.pid) return info;
    if (exited) throw new LocalnetStartError(dir, exited, await logTail(logPath));
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new LocalnetStartError(dir, 'it did not answer in time', await logTail(logPath));
    }
    await sleep(POLL_MS);
  }
}

/**
 * The `floe` command line this installation runs: the compiled one beside this file, or
 * the TypeScript one through tsx when this runs from source.
 */
function floeCommand(): string[] {
  const source = import.meta.url.endsWith('.ts');
  const bin = fileURLToPath(new URL(`../cli/bin.${source ? 'ts' : 'js'}`, import.meta.url));
  return source ? ['--import', import.meta.resolve('tsx'), bin] : [bin];
}

/** In the desktop app this runs on Electron, whose executable runs a script as Node only when told. */
function childEnv(): NodeJS.ProcessEnv {
  return process.versions.electron ? { ...process.env, ELECTRON_RUN_AS_NODE: '1' } : process.env;
}

async function waitForLock(path: string, deadline: number): Promise<IndexLock> {
  for (;;) {
    try {
      return await lockIndex(path);
    } catch (error) {
      if (!(error instanceof IndexBusyError) || Date.now() > deadline) throw error;
      await sleep(POLL_MS);
    }
  }
}

async function logTail(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-5).join('\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
