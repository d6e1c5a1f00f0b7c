/** `floe ls SNAPSHOT [PATH]`: what a snapshot holds, as `ls -l` would show it. */
import { parseArgs } from 'node:util';
import type { TreeEntry } from '../../repo/tree.js';
import { RepoReader } from '../../sync/repo-reader.js';
import { findSnapshots } from '../../sync/restore.js';
import { nameToText, pathToText } from '../../repo/names.js';
import { equalBytes } from '../../walrus/encoding/merkle.js';
import { UsageError } from '../errors.js';
import { cliPath } from '../paths.js';
import { formatBytes } from '../format.js';
import type { CommandContext } from '../main.js';
import { openNetworkSession } from '../../session/session.js';

export async function lsCommand(args: string[], ctx: CommandContext): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      folder: { type: 'string' },
      recursive: { type: 'boolean', short: 'r', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const [id, path = ''] = positionals;
  if (!id || positionals.length > 2)
    throw new UsageError('usage: floe ls SNAPSHOT|latest [PATH] [--folder DIR] [--recursive]');
  const session = await openNetworkSession(ctx);
  try {
    const found = await findSnapshots(session.client, session.keys);
    const chosen = id === 'latest' ? found[0] : found.find((f) => f.snapshot.id.startsWith(id));
    if (!chosen) throw new UsageError(`no snapshot ${id}; "floe snapshots" lists them`);
    const root = values.folder
      ? chosen.snapshot.roots.find((r) => r.path === values.folder)
      : chosen.snapshot.roots[0];
    if (!root)
      throw new UsageError(`snapshot ${chosen.snapshot.id} has no folder ${values.folder}`);
    const reader = await RepoReader.open(session.client, session.keys);
    let tree = root.tree;
    const parts = cliPath(path);
    for (const [i, part] of parts.entries()) {
      const entry = (await reader.tree(tree)).find((e) => equalBytes(e.name, part));
      if (!entry || entry.type !== 'dir')
        throw new UsageError(
          `${pathToText(parts.slice(0, i + 1))} is not a folder in this snapshot`,
        );
      tree = entry.subtree!;
    }
    const print = (e: TreeEntry, rel: Buffer) => {
      const name = nameToText(rel);
      if (ctx.json)
        ctx.out(
          JSON.stringify({
            path: name,
            type: e.type,
            size: e.size,
            mode: e.mode,
            mtimeNs: e.mtimeNs,
            ...(e.target ? { target: nameToText(e.target) } : {}),
          }),
        );
      else {
        const time = new Date(Number(BigInt(e.mtimeNs) / 1_000_000n))
          .toISOString()
          .replace('T', ' ')
          .slice(0, 19);
        const suffix =
          e.type === 'dir'
            ? '/'
            : e.type === 'symlink'
              ? ` -> ${nameToText(e.target ?? new Uint8Array())}`
              : '';
        ctx.out(`${modeString(e)}  ${formatBytes(e.size).padStart(10)}  ${time}  ${name}${suffix}`);
      }
    };
    if (values.recursive) await reader.walk(tree, print);
    else for (const e of await reader.tree(tree)) print(e, Buffer.from(e.name));
    return 0;
  } finally {
    await session.close();
  }
}

function modeString(e: TreeEntry): string {
  const type = e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : '-';
  const bits = 'rwxrwxrwx'
    .split('')
    .map((c, i) => (e.mode & (1 << (8 - i)) ? c : '-'))
    .join('');
  return type + bits;
}
