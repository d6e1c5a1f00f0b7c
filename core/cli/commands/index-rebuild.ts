/**
 * `floe index rebuild [--search]`: recreate the local index from the chain and the blobs
 * alone, search index included. The old file is kept beside it (index.db.<time>.bak)
 * rather than deleted. `--search` rebuilds only the search index, reading every tree of the
 * retained snapshots once.
 */
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Index } from '../../index/index.js';
import { readSettings, updateSettings } from '../../index/settings.js';
import { rebuildIndex } from '../../sync/rebuild.js';
import { RepoReader } from '../../sync/repo-reader.js';
import { SearchIndex, type NotIndexed } from '../../sync/search-index.js';
import type { WalrusClient } from '../../walrus/client/client.js';
import type { RepoKeys } from '../../repo/keys.js';
import { UsageError } from '../errors.js';
import type { CommandContext } from '../main.js';
import { openNetworkSession } from '../../session/session.js';

const USAGE = 'usage: floe index rebuild [--search]';

export async function indexCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { search: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1 || positionals[0] !== 'rebuild') throw new UsageError(USAGE);
  const session = await openNetworkSession({ ...ctx, exclusive: true });
  try {
    if (values.search) {
      const search = await rebuildSearch(session.index, session.client, session.keys);
      ctx.out(
        ctx.json
          ? JSON.stringify({ search })
          : `search index rebuilt: ${search.added} snapshots, ${search.treesRead} folder trees read${notIndexedWords(search.notIndexed)}`,
      );
      return search.notIndexed.length ? 1 : 0;
    }
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
      const search = await rebuildSearch(fresh, session.client, session.keys);
      ctx.out(
        ctx.json
          ? JSON.stringify({ ...report, search, previous: backup })
          : `index rebuilt from the network: ${report.snapshots} snapshots, ${report.packs} packs, ${report.chunks} chunks, folders ${report.folders.join(', ') || 'none'}; search index: ${search.treesRead} folder trees read${notIndexedWords(search.notIndexed)}; the old index is at ${backup}`,
      );
    } finally {
      fresh.close();
    }
    return 0;
  } finally {
    await session.close();
  }
}

/** The snapshots left out of the search index (each search tries them again). */
function notIndexedWords(notIndexed: NotIndexed[]): string {
  return notIndexed.length
    ? `; ${notIndexed.length} snapshot(s) could not be indexed (${notIndexed[0]!.reason}): searches leave them out and try again`
    : '';
}

async function rebuildSearch(index: Index, client: WalrusClient, keys: RepoKeys) {
  return new SearchIndex(index).rebuild(await RepoReader.open(client, keys));
}
