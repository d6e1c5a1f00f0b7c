/**
 * `npm start` (after `npm run build`): the desktop app where Electron is installed, once
 * the Electron build of better-sqlite3 is made when it is missing or stale; where it is
 * not (its download failed at install), Floe's engine with the UI opened in the default
 * browser — `floe daemon --open`, as Syncthing serves its GUI. `--prepare` only makes the
 * Electron build (`npm run dist` runs it before packaging). Run from the project root, as
 * npm does.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { electronBinary, electronPackage } from './electron.js';
import { buildSqliteFor, electronSqliteProblem } from './electron-sqlite.js';

const root = process.cwd();
const prepareOnly = process.argv.includes('--prepare');

const electron = electronPackage(root);
const binary = electron && electronBinary(electron);
if (!electron || !binary) {
  if (prepareOnly) {
    console.error(
      'floe: Electron is not installed (npm install said why), so there is no app to prepare',
    );
    process.exit(1);
  }
  console.log(
    "floe: Electron is not installed here; starting Floe's engine and its UI in your browser",
  );
  process.exit(
    await run(process.execPath, [join(root, 'dist', 'core', 'cli', 'bin.js'), 'daemon', '--open']),
  );
}
const runtime = { name: 'electron' as const, version: electron.version, abi: electron.abi };
const stale = electronSqliteProblem(root, runtime);
if (stale) {
  console.log(`floe: building better-sqlite3 for Electron ${electron.version} (${stale})`);
  await buildSqliteFor(root, runtime);
}
if (!prepareOnly) process.exitCode = await run(binary, ['.']);

/**
 * Runs `command` to its end and resolves with its exit code. On POSIX it gets its own
 * process group and this process passes each stop signal on once: a Ctrl-C in the
 * terminal, or a signal to npm's whole group, then reaches it exactly once, so a second
 * copy does not cut its clean stop short.
 */
function run(command: string, args: string[]): Promise<number> {
  const posix = process.platform !== 'win32';
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', detached: posix });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  const pass = (signal: NodeJS.Signals) => child.kill(signal);
  if (posix) for (const s of signals) process.on(s, pass);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      console.error(`floe: ${command} did not start: ${error.message}`);
      resolve(1);
    });
    child.on('exit', (code, signal) => {
      for (const s of signals) process.off(s, pass);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
