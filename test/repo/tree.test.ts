import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTree, encodeTree, InvalidTreeError, type TreeEntry } from '../../core/repo/tree.js';
import { deriveKeys, generateRecoveryPhrase } from '../../core/repo/keys.js';
import { CorruptDataError } from '../../core/repo/crypto.js';
import { newSnapshotId, openSnapshot, sealSnapshot } from '../../core/repo/snapshot.js';

const utf8 = (s: string) => new TextEncoder().encode(s);

const entries: TreeEntry[] = [
  {
    name: utf8('notes.txt'),
    type: 'file',
    size: 12,
    mtimeNs: '1700000000123456789',
    mode: 0o100644,
    chunks: ['ab'.repeat(32)],
  },
  {
    name: Uint8Array.of(0x66, 0xff, 0xfe, 0x2e, 0x62),
    type: 'file',
    size: 0,
    mtimeNs: '1',
    mode: 0o100600,
    chunks: [],
  },
  {
    name: utf8('photos'),
    type: 'dir',
    size: 0,
    mtimeNs: '2',
    mode: 0o40755,
    subtree: 'cd'.repeat(32),
  },
  {
    name: utf8('latest'),
    type: 'symlink',
    size: 0,
    mtimeNs: '3',
    mode: 0o120777,
    target: utf8('photos/2026'),
  },
  {
    name: utf8('日本語 ✓'),
    type: 'file',
    size: 5,
    mtimeNs: '4',
    mode: 0o100644,
    chunks: ['ef'.repeat(32)],
  },
];

test('trees round-trip, names that are not UTF-8 included', () => {
  const back = decodeTree(encodeTree(entries));
  const sortKey = (e: TreeEntry) => Buffer.from(e.name).toString('hex');
  assert.deepEqual(back.map(sortKey).sort(), entries.map(sortKey).sort());
  const odd = back.find((e) => e.name[1] === 0xff)!;
  assert.deepEqual(odd.name, Uint8Array.of(0x66, 0xff, 0xfe, 0x2e, 0x62));
  assert.deepEqual(back.find((e) => e.type === 'symlink')!.target, utf8('photos/2026'));
  assert.equal(back.find((e) => e.type === 'dir')!.subtree, 'cd'.repeat(32));
});

test('equal trees are equal bytes whatever the entry order', () => {
  assert.deepEqual(encodeTree(entries), encodeTree(entries.slice().reverse()));
});

test('hard-link groups round-trip in version 2; trees without them keep their version-1 bytes', () => {
  const plain = new TextDecoder().decode(encodeTree(entries));
  assert.match(plain, /^\{"v":1,/);
  assert.doesNotMatch(plain, /"h"/);
  const linked = entries.map((e) =>
    e.type === 'file' && e.size > 0 ? { ...e, hardLink: utf8('docs/notes.txt') } : e,
  );
  const bytes = encodeTree(linked);
  assert.match(new TextDecoder().decode(bytes), /^\{"v":2,/);
  const back = decodeTree(bytes);
  assert.deepEqual(back.find((e) => e.size === 12)!.hardLink, utf8('docs/notes.txt'));
  assert.equal(back.find((e) => e.size === 0 && e.type === 'file')!.hardLink, undefined);
});

test('duplicate names and foreign formats are refused', () => {
  assert.throws(() => encodeTree([entries[0]!, entries[0]!]), InvalidTreeError);
  assert.throws(() => decodeTree(utf8('{"v":9,"e":[]}')), /update Floe/);
  assert.throws(() => decodeTree(Uint8Array.of(0xff)), InvalidTreeError);
});

test('a snapshot seals under the metadata key and opens only with it', () => {
  const keys = deriveKeys(generateRecoveryPhrase());
  const snap = {
    id: newSnapshotId(),
    time: new Date(0).toISOString(),
    hostname: 'laptop',
    roots: [{ path: '/home/ann/Documents', tree: 'aa'.repeat(32) }],
    parent: null,
    tags: [],
    stats: { files: 3, bytes: 100 },
    indexBlobs: [],
  };
  const sealed = sealSnapshot(keys, snap);
  assert.equal(Buffer.from(sealed).includes(Buffer.from('Documents')), false);
  assert.deepEqual(openSnapshot(keys, sealed), { ...snap, version: 1 });
  assert.throws(() => openSnapshot(deriveKeys(generateRecoveryPhrase()), sealed), CorruptDataError);
});
