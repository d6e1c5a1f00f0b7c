/**
 * `floe index rebuild`: recreate the local index from the chain and the blobs alone. The
 * old file is kept beside it (index.db.<time>.bak) rather than deleted.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Index } from '../../index/index.js';
import { readSettings, updateSettings } from '../../index/settings.js';
import { rebuildIndex } from '../../sync/rebuild.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { openNetworkSession } from '../../session/session.js';

export async function indexCommand(args: string[], ctx: CommandContext): Promise<number> {
  if (args[0] !== 'rebuild' || args.length > 1) throw new UsageError('usage: floe index rebuild');
  const session = await openNetworkSession({ ...ctx, exclusive: true });
  try {
    const path = join(session.dataDir, 'index.db');
    const account = session.index.getSetting<string | null>('account', null);
    // The user's choices are not on the network: they come across from the old index.
    const settings = readSettings(session.index);
    session.index.close();
    const backup = `${path}.${new Date().toISOString().replace(/[:.]/g, '-')}.bak`;
    await rename(path, backup);
    for (const suffix of ['-wal', '-shm'])
      await rename(path + suffix, backup + suffix).catch(() => undefined);
    const fresh = Index.open(path);
    try {
      fresh.setSetting('account', account);
      updateSettings(fresh, settings);
      const report = await rebuildIndex(fresh, session.client, session.keys, { folders: 'here' });
      ctx.out(
        ctx.json
          ? JSON.stringify({ ...report, previous: backup })
          : `index rebuilt from the network: ${report.snapshots} snapshots, ${report.packs} packs, ${report.chunks} chunks, folders ${report.folders.join(', ') || 'none'}; the old index is at ${backup}`,
      );
    } finally {
      fresh.close();
    }
    return 0;
  } finally {
    await session.close();
  }
}
