/**
 * Exclusion rules in gitignore syntax: `.floeignore` files in any directory of a backed-up
 * folder, plus Floe's built-in excludes. Semantics follow git's: the last matching rule
 * wins, `!` re-includes, a leading or inner `/` anchors a pattern to its file's
 * directory, a trailing `/` matches directories only, `*` and `?` never match `/`, `**`
 * spans directories, `[...]` is a class, `\` escapes. As in git, nothing below an excluded
 * directory is looked at, so it cannot be re-included.
 *
 * Paths and patterns are compared as bytes (latin1 strings), so names in any encoding work.
 */

export const IGNORE_FILE = '.floeignore';

/** Junk no one wants restored: OS metadata, trash, caches of the desktop itself. */
export const BUILTIN_EXCLUDES = [
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '.Trash-*/',
  '.Spotlight-V100/',
  '.fseventsd/',
  '*.floe-partial',
];
/** Optional excludes the user can switch on in settings. */
export const OPTIONAL_EXCLUDES = {
  nodeModules: ['node_modules/'],
  caches: ['.cache/', '__pycache__/'],
};

interface Rule {
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
  /** Directory (relative, latin1, '' for the folder root) whose ignore file holds the rule. */
  base: string;
}

export class IgnoreRules {
  private constructor(private readonly rules: Rule[]) {}

  static empty(): IgnoreRules {
    return new IgnoreRules([]);
  }

  static of(patterns: string[], base = ''): IgnoreRules {
    return IgnoreRules.empty().with(patterns.join('\n'), base);
  }

  /** Rules with those of an ignore file in `base` appended (deeper files win ties). */
  with(text: string, base: string): IgnoreRules {
    const added: Rule[] = [];
    for (const raw of text.split(/\r?\n/)) {
      const rule = parseRule(raw, base);
      if (rule) added.push(rule);
    }
    return added.length ? new IgnoreRules([...this.rules, ...added]) : this;
  }

  /** Whether the path (relative to the folder root, '/'-separated, latin1) is excluded. */
  ignores(path: string, isDir: boolean): boolean {
    let ignored = false;
    for (const r of this.rules) {
      if (r.dirOnly && !isDir) continue;
      if (r.base && !path.startsWith(r.base + '/')) continue;
      const rel = r.base ? path.slice(r.base.length + 1) : path;
      if (r.regex.test(rel)) ignored = !r.negate;
    }
    return ignored;
  }
}

function parseRule(raw: string, base: string): Rule | null {
  let line = raw.replace(/(?<!\\)\s+$/, '');
  if (line === '' || line.startsWith('#')) return null;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith('/')) {
    dirOnly = true;
    line = line.slice(0, -1);
  }
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  if (line === '') return null;
  const body = globToRegex(line);
  const regex = new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`, 's');
  return { regex, negate, dirOnly, base };
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\' && i + 1 < glob.length) {
      out += escape(glob[++i]!);
    } else if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length || glob[i + 2] === '/';
        if (atStart && atEnd) {
          // "**/" spans zero or more directories; a trailing "**" everything below.
          if (glob[i + 2] === '/') {
            out += '(?:.*/)?';
            i += 2;
          } else {
            out += '.*';
            i += 1;
          }
          continue;
        }
      }
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
      } else {
        let cls = glob.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        out += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else {
      out += escape(c);
    }
  }
  return out;
}

function escape(c: string): string {
  return /[.*?+^${}()|[\]\\/]/.test(c) ? '\\' + c : c;
}
