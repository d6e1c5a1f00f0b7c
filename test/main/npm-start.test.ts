/**
 * `npm start` where Electron's binary is not installed, as on a machine that could not
 * download it: Floe's engine starts, the UI opens in the default browser, and the page it
 * printed loads in Chromium. The default browser is a stand-in `xdg-open` that records
 * the address it was given; Electron is made absent with its own override variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const ROOT = resolve(import.meta.dirname, '..', '..');
const CHROMIUM = '/usr/bin/chromium';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until<T>(what: string, ms: number, check: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test(
  'npm start without Electron runs the engine and opens its UI in the browser, and stops on a signal',
  {
    skip: (process.platform === 'win32' || !existsSync(CHROMIUM)) && `needs POSIX and ${CHROMIUM}`,
    timeout: 480_000,
  },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'floe-npm-start-'));
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const opened = join(dir, 'opened.txt');
    await writeFile(join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${opened}'\n`);
    await chmod(join(bin, 'xdg-open'), 0o755);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      HOME: join(dir, 'home'),
      XDG_DATA_HOME: join(dir, 'home', '.local', 'share'),
      FLOE_HOME: join(dir, 'data'),
      ELECTRON_OVERRIDE_DIST_PATH: join(dir, 'no-electron'),
      // No keychain and no passphrase: the README's bare command on a headless machine.
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
    };
    delete env.FLOE_KEY_PASSPHRASE;
    // Its own process group, as a terminal gives it: the signal reaches npm, its shell and
    // Floe's launcher together, the way Ctrl-C does.
    const npm = spawn('npm', ['start'], { cwd: ROOT, env, detached: true, stdio: 'pipe' });
    let out = '';
    npm.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    npm.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
    const exited = new Promise((r) => npm.once('exit', r));
    let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;
    /** The engine's process (Floe's launcher starts it in a process group of its own). */
    let engine = 0;
    try {
      const url = await until('the printed address', 420_000, async () => {
        if (npm.exitCode !== null) throw new Error(`npm start exited:\n${out}`);
        return /^Open (http:\/\/127\.0\.0\.1:\d+\/#token=\S+)$/m.exec(out)?.[1] ?? null;
      });
      assert.match(out, /Electron is not installed here/);
      assert.equal(
        await until('the browser to be opened', 10_000, () =>
          readFile(opened, 'utf8').catch(() => null),
        ),
        url,
      );
      assert.match(out, /Opened in your browser/);

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
      const page = await browser.newPage();
      await page.goto(url);
      await page.getByRole('heading', { level: 1, name: /Back up your folders/ }).waitFor();
      // No keychain here: creating an account says how to keep the phrase, before showing it.
      await page.getByRole('button', { name: /Create a new account/ }).click();
      await page.getByText(/set FLOE_KEY_PASSPHRASE/).waitFor();

      engine = Number(await readFile(join(dir, 'data', 'floe.lock'), 'utf8'));
      assert.ok(alive(engine), 'the engine holds its data directory');
      process.kill(-npm.pid!, 'SIGTERM');
      await exited;
      await until('the engine to stop', 30_000, async () => (alive(engine) ? null : true));
      assert.equal(existsSync(join(dir, 'data', 'floe.lock')), false, 'it stopped cleanly');
    } finally {
      await browser?.close();
      if (npm.exitCode === null) process.kill(-npm.pid!, 'SIGKILL');
      if (engine && alive(engine)) process.kill(engine, 'SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  },
);
