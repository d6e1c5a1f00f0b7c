/**
 * `floe daemon`: the engine and the local API without a window (servers, NAS, scripts),
 * serving the UI at the same address. Prints where it listens and the run's token, with
 * `--open` opens the UI in the default browser (what `npm start` does where Electron is
 * not installed), then runs until Ctrl-C or SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDaemon } from '../../api/daemon.js';
import { UsageError } from '../errors.js';
import { openInBrowser } from '../open-browser.js';
import { defaultDataDir } from '../../session/data-dir.js';
import type { CommandContext } from '../main.js';

export async function daemonCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string', default: '0' },
      ui: { type: 'string' },
      open: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('usage: floe daemon [--port N] [--ui DIR] [--open]');
  const staticDir = values.ui ? resolve(values.ui) : builtUi();
  const daemon = await startDaemon({
    dataDir: ctx.dataDir ?? defaultDataDir(),
    port,
    ...(staticDir ? { staticDir } : {}),
    ...(process.env.FLOE_KEY_PASSPHRASE ? { keyPassphrase: process.env.FLOE_KEY_PASSPHRASE } : {}),
  });
  const page = `${daemon.url}/#token=${daemon.token}`;
  if (ctx.json) ctx.out(JSON.stringify({ url: daemon.url, token: daemon.token, ui: staticDir }));
  else {
    ctx.out(`Floe is listening on ${daemon.url}`);
    ctx.out(`API token for this run: ${daemon.token}`);
    ctx.out(
      staticDir
        ? `Open ${page}`
        : 'No UI build found (npm run build:ui); the API works without it.',
    );
  }
  if (values.open && staticDir) {
    const problem = await openInBrowser(page);
    if (!ctx.json)
      ctx.out(
        problem
          ? `Could not open a browser (${problem}): open the address above in one.`
          : 'Opened in your browser. Ctrl-C stops Floe.',
      );
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    ctx.signal?.addEventListener('abort', () => done(), { once: true });
  });
  await daemon.stop();
  return 0;
}

/** The UI bundle beside this installation (dist/renderer), if it was built. */
function builtUi(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'floe'
    ) {
      const ui = join(dir, 'dist', 'renderer');
      return existsSync(join(ui, 'index.html')) ? ui : null;
    }
    const up = dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}
