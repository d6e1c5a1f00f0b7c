import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IgnoreRules, BUILTIN_EXCLUDES } from '../../core/sync/ignore.js';
import {
  FolderUnavailableError,
  pathKey,
  scanFolder,
  type KnownEntry,
  type ScanResult,
} from '../../core/sync/scanner.js';

async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-scan-'));
  await mkdir(join(dir, 'docs', 'old'), { recursive: true });
  await writeFile(join(dir, 'docs', 'a.txt'), 'alpha');
  await writeFile(join(dir, 'docs', 'old', 'b.txt'), 'bravo');
  await writeFile(join(dir, 'empty'), '');
  return dir;
}

const names = (r: ScanResult, list: 'entries' | 'changed' = 'entries') =>
  r[list].map((e) => Buffer.from(e.relPath).toString()).sort();

function knownFrom(r: ScanResult): Map<string, KnownEntry> {
  return new Map(r.entries.map((e) => [pathKey(e.relPath), e]));
}

test('a first scan reports everything as changed; a second, nothing', async () => {
  const dir = await tree();
  try {
    const first = await scanFolder(dir);
    assert.deepEqual(names(first), ['docs', 'docs/a.txt', 'docs/old', 'docs/old/b.txt', 'empty']);
    assert.deepEqual(names(first, 'changed'), names(first));
    const second = await scanFolder(dir, { known: knownFrom(first) });
    assert.deepEqual(second.changed, []);
    assert.deepEqual(second.deleted, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('edits, new files and deletions are found', async () => {
  const dir = await tree();
  try {
    const first = await scanFolder(dir);
    await writeFile(join(dir, 'docs', 'a.txt'), 'alpha, edited');
    await writeFile(join(dir, 'new.txt'), 'n');
    await unlink(join(dir, 'docs', 'old', 'b.txt'));
    // Same size, only the time moved: still a change.
    await utimes(join(dir, 'empty'), new Date(2000, 0, 1), new Date(2000, 0, 1));
    const second = await scanFolder(dir, { known: knownFrom(first) });
    assert.deepEqual(names(second, 'changed'), ['docs/a.txt', 'docs/old', 'empty', 'new.txt']);
    assert.deepEqual(
      second.deleted.map((p) => Buffer.from(p).toString()),
      ['docs/old/b.txt'],
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('.floeignore files and built-in excludes are honoured, and nothing below an excluded directory is read', async () => {
  const dir = await tree();
  try {
    await writeFile(join(dir, '.floeignore'), '*.log\nbuild/\n');
    await writeFile(join(dir, 'docs', '.floeignore'), 'old/\n!keep.log\n');
    await writeFile(join(dir, 'x.log'), '');
    await writeFile(join(dir, 'docs', 'keep.log'), '');
    await writeFile(join(dir, '.DS_Store'), '');
    await mkdir(join(dir, 'build'));
    await writeFile(join(dir, 'build', 'out.bin'), '');
    const r = await scanFolder(dir, { rules: IgnoreRules.of(BUILTIN_EXCLUDES) });
    assert.deepEqual(names(r), [
      '.floeignore',
      'docs',
      'docs/.floeignore',
      'docs/a.txt',
      'docs/keep.log',
      'empty',
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('symlinks are recorded, never followed, so a link loop is harmless', async () => {
  const dir = await tree();
  try {
    await symlink('..', join(dir, 'docs', 'up'));
    await symlink('loop-b', join(dir, 'loop-a'));
    await symlink('loop-a', join(dir, 'loop-b'));
    const r = await scanFolder(dir);
    const up = r.entries.find((e) => Buffer.from(e.relPath).toString() === 'docs/up')!;
    assert.equal(up.kind, 'symlink');
    assert.equal(Buffer.from(up.symlinkTarget!).toString(), '..');
    assert.ok(names(r).includes('loop-a'));
    assert.deepEqual(r.issues, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('names that are not UTF-8 come back byte for byte', async () => {
  const dir = await tree();
  try {
    const odd = Buffer.concat([
      Buffer.from(dir + '/'),
      Buffer.from([0x66, 0xe9, 0xff, 0x2e, 0x74]),
    ]);
    await writeFile(odd, 'latin-1 name');
    const r = await scanFolder(dir);
    assert.ok(
      r.entries.some((e) =>
        Buffer.from(e.relPath).equals(Buffer.from([0x66, 0xe9, 0xff, 0x2e, 0x74])),
      ),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('pipes are reported and skipped; very long paths are reported, not fatal', async () => {
  const dir = await tree();
  try {
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    // A path deeper than PATH_MAX (4096 bytes), built with relative steps.
    execFileSync('bash', [
      '-c',
      `cd "${dir}" && for i in $(seq 1 50); do mkdir d$(printf '%0100d' 0) && cd d$(printf '%0100d' 0); done; echo deep > f.txt`,
    ]);
    const r = await scanFolder(dir);
    const codes = r.issues.map((i) => i.code);
    assert.ok(codes.includes('special-file'));
    assert.ok(
      r.issues.some((i) => i.code === 'unreadable' && /ENAMETOOLONG/.test(i.message)),
      JSON.stringify(codes),
    );
    assert.ok(names(r).includes('docs/a.txt'), 'the rest of the folder was scanned');
  } finally {
    execFileSync('rm', ['-rf', dir]);
  }
});

test('an unreadable directory is reported and the scan goes on', async () => {
  const dir = await tree();
  try {
    await chmod(dir, 0o755);
    await chmod(join(dir, 'docs'), 0o755);
    await chmod(join(dir, 'docs', 'old'), 0o000);
    // Root reads everything, so the check runs as an unprivileged user when we are root.
    const script = `import('${join(process.cwd(), 'core/sync/scanner.ts')}').then(async (m) => { const r = await m.scanFolder(${JSON.stringify(dir)}); console.log(JSON.stringify({ issues: r.issues.map((i) => [Buffer.from(i.relPath).toString(), i.code]), n: r.entries.length })); })`;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
      env: { ...process.env, HOME: dir, TSX_DISABLE_CACHE: '1' },
    });
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      issues: [string, string][];
      n: number;
    };
    assert.deepEqual(out.issues, [['docs/old', 'unreadable']]);
    assert.ok(out.n >= 4);
  } finally {
    await chmod(join(dir, 'docs', 'old'), 0o755);
    await rm(dir, { recursive: true, force: true });
  }
});

test('a folder that is not there is a FolderUnavailableError', async () => {
  await assert.rejects(scanFolder('/nonexistent/floe'), FolderUnavailableError);
});
