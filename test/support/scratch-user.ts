/**
 * A scratch user for tests that run `floe` in this process: no keychain (the key file
 * under a passphrase, as on a headless server) and a home of their own. The localnet the
 * CLI starts in the background on first use lives in that home and `end` stops it — never
 * one left running in the real user's home after the test. `run` and `json` are `floe
 * --data <dir>/home …`, their output kept in `lines`.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXIT } from '../../core/cli/errors.js';
import { main } from '../../core/cli/main.js';
import { setEnv } from './env.js';

export interface ScratchUser {
  /** The data directory `run` uses. */
  home: string;
  lines: string[];
  run(...args: string[]): Promise<number>;
  /** Runs with --json, asserts exit 0, and answers the parsed last line. */
  json<T>(...args: string[]): Promise<T>;
  end(): Promise<void>;
}

export function scratchUser(dir: string): ScratchUser {
  const restoreEnv = setEnv({
    FLOE_KEY_PASSPHRASE: 'test passphrase',
    DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'no-bus')}`,
    HOME: join(dir, 'user'),
    XDG_DATA_HOME: join(dir, 'user', '.local', 'share'),
  });
  const home = join(dir, 'home');
  const lines: string[] = [];
  const run = (...args: string[]) => main(['--data', home, ...args], (l) => lines.push(l));
  return {
    home,
    lines,
    run,
    async json<T>(...args: string[]): Promise<T> {
      assert.equal(await run('--json', ...args), EXIT.ok, args.join(' '));
      return JSON.parse(lines.pop()!) as T;
    },
    async end() {
      await main(['localnet', 'stop'], () => {});
      restoreEnv();
    },
  };
}
