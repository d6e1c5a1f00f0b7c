/**
 * What a search pattern means. Names are raw bytes; they are matched in their text form
 * (core/repo/names.ts: UTF-8, `%XX` for other bytes, `%25` for `%`), Unicode-normalised
 * (NFC, so a name a Mac stored decomposed matches what was typed) and lower-cased: a
 * search is case-insensitive and still tells `f\xff` from `f\xfe`.
 *
 * A pattern with `*`, `?` or `[` is a glob over the whole name (restic's `find` matches
 * names the same way; `[*]` is a literal `*`); any other pattern matches anywhere in the
 * name. `%XX` in a pattern is that byte, as in every path Floe prints; a `%` followed by
 * anything else is a `%`.
 */
import { nameToText } from '../repo/names.js';

export type MatchMode = 'substring' | 'glob';

export interface NamePattern {
  mode: MatchMode;
  /** The pattern in the folded text form (a GLOB pattern in glob mode). */
  folded: string;
}

export class InvalidPatternError extends Error {
  constructor(
    readonly pattern: string,
    /** What is wrong, worded to follow the pattern's name ("has a '[' without …"). */
    readonly reason: string,
  ) {
    super(`the pattern "${pattern}" ${reason}`);
    this.name = 'InvalidPatternError';
  }
}

/** The form names are matched in, from a name's text form. */
export function foldText(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

function foldName(bytes: Uint8Array): string {
  return foldText(nameToText(bytes));
}

const GLOB_CHARS = /[*?[]/;

/** `mode` 'auto' (default): a glob when the pattern has a glob character, else a substring. */
export function parseNamePattern(pattern: string, mode: MatchMode | 'auto' = 'auto'): NamePattern {
  if (pattern === '') throw new InvalidPatternError(pattern, 'is empty');
  if (pattern.includes('/'))
    throw new InvalidPatternError(
      pattern,
      'has a "/": a pattern matches names; choose the folder to search with "under"',
    );
  const chosen = mode === 'auto' ? (GLOB_CHARS.test(pattern) ? 'glob' : 'substring') : mode;
  if (chosen === 'substring') return { mode: chosen, folded: foldLiteral(pattern) };
  return { mode: chosen, folded: foldGlob(pattern) };
}

/** Literal text as a name's folded text form: `%XX` bytes decoded, then encoded as names are. */
function foldLiteral(text: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '%' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
      continue;
    }
    const cp = text.codePointAt(i)!;
    if (cp > 0xffff) i++;
    bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'));
  }
  return foldName(new Uint8Array(bytes));
}

/**
 * A glob in SQLite's GLOB syntax over folded names: the literal runs folded as names are,
 * `*`, `?` and bracket classes kept (a class's own letters lower-cased).
 */
function foldGlob(pattern: string): string {
  let out = '';
  let literal = '';
  const flush = () => {
    if (literal) out += foldLiteral(literal);
    literal = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' || c === '?') {
      flush();
      out += c;
    } else if (c === '[') {
      // A ']' right after '[' (or '[^') is a member, as in SQLite and POSIX.
      let end = i + 1;
      if (pattern[end] === '^') end++;
      if (pattern[end] === ']') end++;
      end = pattern.indexOf(']', end);
      if (end < 0) throw new InvalidPatternError(pattern, 'has a "[" without its "]"');
      flush();
      out += foldText(pattern.slice(i, end + 1));
      i = end;
    } else literal += c;
  }
  flush();
  return out;
}
