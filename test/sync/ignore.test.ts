import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_EXCLUDES, IgnoreRules } from '../../core/sync/ignore.js';

const rules = (...p: string[]) => IgnoreRules.of(p);

test('an unanchored pattern matches at any depth; an anchored one only from its base', () => {
  const r = rules('*.log', '/build', 'docs/*.tmp');
  assert.ok(r.ignores('a.log', false));
  assert.ok(r.ignores('x/y/a.log', false));
  assert.ok(r.ignores('build', true));
  assert.equal(r.ignores('src/build', true), false);
  assert.ok(r.ignores('docs/a.tmp', false));
  assert.equal(r.ignores('x/docs/a.tmp', false), false);
});

test('the last matching rule wins and ! re-includes', () => {
  const r = rules('*.jpg', '!keep.jpg');
  assert.ok(r.ignores('a.jpg', false));
  assert.equal(r.ignores('keep.jpg', false), false);
  assert.ok(rules('!keep.jpg', '*.jpg').ignores('keep.jpg', false));
});

test('a trailing slash matches directories only', () => {
  const r = rules('cache/');
  assert.ok(r.ignores('cache', true));
  assert.equal(r.ignores('cache', false), false);
});

test('** spans directories; * and ? stop at a slash', () => {
  const r = rules('**/tmp', 'a/**/z', 'logs/**', 'q?');
  assert.ok(r.ignores('tmp', true));
  assert.ok(r.ignores('x/y/tmp', true));
  assert.ok(r.ignores('a/z', false));
  assert.ok(r.ignores('a/b/c/z', false));
  assert.ok(r.ignores('logs/1/2', false));
  assert.ok(r.ignores('q1', false));
  assert.equal(rules('a*b').ignores('a/b', false), false);
});

test('character classes, negated classes and escapes', () => {
  const r = rules('file[0-9].txt', 'v[!a].md', '\\#notes', '\\!bang', 'star\\*');
  assert.ok(r.ignores('file7.txt', false));
  assert.equal(r.ignores('filex.txt', false), false);
  assert.ok(r.ignores('vb.md', false));
  assert.equal(r.ignores('va.md', false), false);
  assert.ok(r.ignores('#notes', false));
  assert.ok(r.ignores('!bang', false));
  assert.ok(r.ignores('star*', false));
  assert.equal(r.ignores('starx', false), false);
});

test('comments and blank lines are skipped; rules from a subdirectory apply below it only', () => {
  const r = IgnoreRules.empty().with('# comment\n\n*.bak\n', 'projects');
  assert.ok(r.ignores('projects/a.bak', false));
  assert.ok(r.ignores('projects/deep/a.bak', false));
  assert.equal(r.ignores('a.bak', false), false);
});

test('names are matched as bytes, whatever their encoding', () => {
  const latin1 = (bytes: number[]) => Buffer.from(bytes).toString('latin1');
  const r = IgnoreRules.of([Buffer.from('café*', 'utf8').toString('latin1')]);
  assert.ok(r.ignores(latin1([...Buffer.from('café-1', 'utf8')]), false));
  assert.ok(IgnoreRules.of(['*.x']).ignores(latin1([0xff, 0xfe, 0x2e, 0x78]), false));
});

test('built-in excludes drop OS junk', () => {
  const r = IgnoreRules.of(BUILTIN_EXCLUDES);
  assert.ok(r.ignores('photos/.DS_Store', false));
  assert.ok(r.ignores('Thumbs.db', false));
  assert.ok(r.ignores('.Trash-1000', true));
  assert.equal(r.ignores('photos/beach.jpg', false), false);
});
