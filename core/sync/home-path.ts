/**
 * Paths as a person types them into a form: `~` is the home folder, `~/Documents` a folder
 * in it, and a path that is not absolute (`Documents`) is taken from the home folder too —
 * a daemon's working directory means nothing to someone in a browser. A shell expands `~`
 * before the CLI sees it, so only the API needs this.
 */
import { isAbsolute, resolve } from 'node:path';

export class HomePathError extends Error {
  constructor(given: string) {
    super(
      `"${given}": only your own home folder can be written as ~ (another user's, ~name, is not supported); write the full path`,
    );
    this.name = 'HomePathError';
  }
}

/** The absolute path `given` means, with `home` as the home folder. */
export function expandHome(given: string, home: string): string {
  if (given === '~') return resolve(home);
  if (given.startsWith('~/')) return resolve(home, given.slice(2));
  if (given.startsWith('~')) throw new HomePathError(given);
  return isAbsolute(given) ? resolve(given) : resolve(home, given);
}
