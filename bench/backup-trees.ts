/**
 * The data bench/backup.ts backs up: generated, incompressible, the same for both tools.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const KiB = 1024;
const MiB = 1024 * KiB;
const EDIT_BYTES = 4 * KiB;
/** Generated files are written in pieces of this size, so a big file never sits in memory. */
const PIECE = 16 * MiB;

export interface TreePlan {
  sizeMiB: number;
  smallFiles: number;
  rescanFiles: number;
  /** Only the mixed tree (a large-tree memory run needs nothing else). */
  mixedOnly: boolean;
}

export interface Trees {
  mixed: string;
  mixedFiles: number;
  mixedBytes: number;
  /** The big file that the edit step changes. */
  bigFile: string;
  rescan: string | null;
  dedup: string | null;
  dedupBytes: number;
}

type Random = (n: number) => Buffer;

/**
 * Incompressible bytes at memory speed: an AES-256-CTR keystream under a random key. It
 * never repeats, so no two files share content by accident and all the dedup the tools
 * find is dedup the bench put there on purpose.
 */
function keystream(): Random {
  const cipher = createCipheriv('aes-256-ctr', randomBytes(32), randomBytes(16));
  return (n) => cipher.update(Buffer.alloc(n));
}

function writeRandomFile(path: string, size: number, random: Random): void {
  const fd = openSync(path, 'w');
  try {
    for (let done = 0; done < size; done += PIECE)
      writeSync(fd, random(Math.min(PIECE, size - done)));
  } finally {
    closeSync(fd);
  }
}

const sum = (sizes: number[]): number => sizes.reduce((a, b) => a + b, 0);

/**
 * A home-folder-like mix of `sizeMiB` exactly: small files of 1–64 KiB (log-uniform, so
 * most are a few KiB), three big files of an eighth of the total each, and medium files
 * of 1–8 MiB filling the rest.
 */
function generateMixedTree(root: string, plan: TreePlan, random: Random) {
  const total = plan.sizeMiB * MiB;
  const small = Array.from({ length: plan.smallFiles }, () =>
    Math.round(KiB * 64 ** Math.random()),
  );
  const big = [0, 1, 2].map(() => Math.floor(total / 8));
  let rest = total - sum(small) - sum(big);
  if (rest < 0)
    throw new Error(`--size ${plan.sizeMiB} leaves no room for ${plan.smallFiles} small files`);
  const medium: number[] = [];
  while (rest > 0) {
    const size = Math.min(rest, MiB + Math.floor(Math.random() * 7 * MiB));
    medium.push(size);
    rest -= size;
  }

  // Small files sit 100 to a directory, as in a source tree or a photo library.
  small.forEach((size, i) => {
    const dir = join(root, 'small', String(Math.floor(i / 100)));
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeRandomFile(join(dir, `${i}.bin`), size, random);
  });
  for (const [kind, sizes] of [
    ['medium', medium],
    ['big', big],
  ] as const) {
    mkdirSync(join(root, kind));
    sizes.forEach((size, i) => writeRandomFile(join(root, kind, `${i}.bin`), size, random));
  }
  return {
    mixed: root,
    mixedFiles: small.length + medium.length + big.length,
    mixedBytes: total,
    bigFile: join(root, 'big', '0.bin'),
  };
}

/** `count` files of 100 bytes, 1000 to a directory: what a no-change rescan walks. */
function generateRescanTree(root: string, count: number, random: Random): string {
  for (let i = 0; i < count; i++) {
    const dir = join(root, String(Math.floor(i / 1000)));
    if (i % 1000 === 0) mkdirSync(dir, { recursive: true });
    writeRandomFile(join(dir, `${i}.txt`), 100, random);
  }
  return root;
}

/**
 * The same data four times: three exact copies and one with 1 KiB inserted at the front,
 * which only content-defined chunking dedups. The copy is a 32nd of the mixed tree, but
 * at least 8 MiB, so that it spans several chunks of both tools' ~1 MiB average.
 */
function generateDedupTree(root: string, plan: TreePlan, random: Random) {
  const data = random(Math.max(8 * MiB, (plan.sizeMiB * MiB) / 32));
  mkdirSync(root);
  for (const name of ['copy-1', 'copy-2', 'copy-3']) writeFileSync(join(root, `${name}.bin`), data);
  const shifted = Buffer.concat([random(KiB), data]);
  writeFileSync(join(root, 'shifted.bin'), shifted);
  return { dedup: root, dedupBytes: 3 * data.length + shifted.length };
}

export function generateTrees(root: string, plan: TreePlan): Trees {
  const random = keystream();
  const mixed = generateMixedTree(join(root, 'mixed'), plan, random);
  if (plan.mixedOnly) return { ...mixed, rescan: null, dedup: null, dedupBytes: 0 };
  return {
    ...mixed,
    rescan: generateRescanTree(join(root, 'rescan'), plan.rescanFiles, random),
    ...generateDedupTree(join(root, 'dedup'), plan, random),
  };
}

/** Overwrites 4 KiB in the middle of `file` with fresh bytes: one changed chunk, a new mtime. */
export async function editMiddle(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    await handle.write(randomBytes(EDIT_BYTES), 0, EDIT_BYTES, Math.floor(size / 2));
  } finally {
    await handle.close();
  }
}

/** A restore that returned without error but wrote too little must not count as fast. */
export async function checkRestored(dir: string, trees: Trees): Promise<void> {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await stat(join(e.parentPath, e.name))).size;
  }
  if (files !== trees.mixedFiles || bytes !== trees.mixedBytes)
    throw new Error(
      `restore wrote ${files} files, ${bytes} bytes; the tree has ${trees.mixedFiles}, ${trees.mixedBytes}`,
    );
}
