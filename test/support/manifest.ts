/**
 * What a restore must reproduce of a tree, as one comparable map: path (raw bytes as
 * latin1) → type, mode, mtime and content hash (files) or target (symlinks).
 */
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';

export type Manifest = Map<string, string>;

export async function manifest(
  root: Buffer | string,
  rel = Buffer.alloc(0),
  into: Manifest = new Map(),
): Promise<Manifest> {
  const base = Buffer.from(root);
  const dir = rel.length ? Buffer.concat([base, Buffer.from('/'), rel]) : base;
  for (const name of (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare)) {
    const r = rel.length ? Buffer.concat([rel, Buffer.from('/'), name]) : name;
    const abs = Buffer.concat([base, Buffer.from('/'), r]);
    const st = await lstat(abs);
    const mtime = Math.floor(st.mtimeMs);
    let what: string;
    if (st.isSymbolicLink())
      what = `link ${(await readlink(abs, { encoding: 'buffer' })).toString('hex')}`;
    else if (st.isDirectory()) what = `dir ${st.mode & 0o7777}`;
    else
      what = `file ${st.mode & 0o7777} ${mtime} ${createHash('sha256')
        .update(await readFile(abs))
        .digest('hex')}`;
    into.set(r.toString('latin1'), what);
    if (st.isDirectory()) await manifest(base, r, into);
  }
  return into;
}
