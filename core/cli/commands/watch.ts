/**
 * `floe watch`: the engine in the foreground — back up on every change, rescan
 * periodically, renew on every epoch change — until Ctrl-C or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { Engine } from '../../sync/engine.js';
import { parseDuration } from '../duration.js';
import { formatBytes, formatWal } from '../format.js';
import type { CommandContext } from '../main.js';
import { ProgressBar } from '../progress-bar.js';
import { openNetworkSession } from '../../session/session.js';

export async function watchCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      epochs: { type: 'string', default: '5' },
      rescan: { type: 'string', default: '1h' },
      debounce: { type: 'string', default: '2s' },
    },
    strict: true,
  });
  const session = await openNetworkSession({ ...ctx, exclusive: true });
  const engine = new Engine({
    index: session.index,
    keys: session.keys,
    client: session.client,
    settings: session.settings(),
    epochs: Number(values.epochs),
    rescanIntervalMs: parseDuration(values.rescan),
    debounceMs: parseDuration(values.debounce),
  });
  const log = (event: string, fields: Record<string, unknown>, text: string) =>
    ctx.out(
      ctx.json
        ? JSON.stringify({ event, time: new Date().toISOString(), ...fields })
        : `${new Date().toISOString()}  ${text}`,
    );
  const bar = ctx.json ? null : new ProgressBar();
  engine.on('progress', (p) => bar?.update(p));
  engine.on('backup', (r) => {
    bar?.done();
    log(
      'backup',
      { snapshot: r.snapshot.id, files: r.files, newBytes: r.newBytes, issues: r.issues.length },
      `snapshot ${r.snapshot.id.slice(0, 8)}: ${r.files} files changed, ${formatBytes(r.newBytes)} new${r.issues.length ? `, ${r.issues.length} issue(s)` : ''}`,
    );
  });
  engine.on('renewal', (r) =>
    log(
      'renewal',
      {
        epoch: r.epoch,
        extended: r.extended,
        deleted: r.deleted,
        costFrost: r.costFrost.toString(),
        nextExpiryEpoch: r.nextExpiryEpoch,
      },
      `epoch ${r.epoch}: renewal extended ${r.extended}, deleted ${r.deleted}, spent ${formatWal(r.costFrost)}`,
    ),
  );
  engine.on('failure', (f) =>
    log(
      'failure',
      { ...f },
      `FAILED ${f.during}: ${f.message}${f.retry ? ` (attempt ${f.retry.attempt}; again at ${new Date(f.retry.nextAt).toISOString()}${f.offline ? ' or when the network answers' : ''})` : ''}`,
    ),
  );

  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    ctx.signal?.addEventListener('abort', stop, { once: true });
  });
  try {
    await engine.start();
    log(
      'watching',
      { folders: session.index.folders().map((f) => f.path) },
      `watching ${session.index.folders().length} folder(s); Ctrl-C stops`,
    );
    await stopped;
  } finally {
    await engine.stop();
    await session.close();
  }
  return 0;
}
