/**
 * A scratch user for tests that run `floe` in this process: no keychain (the key file
 * under a passphrase, as on a headless server) and a home of their own. The localnet the
 * CLI starts in the background on first use lives in that home and `end` stops it — never
 * one left running in the real user's home after the test.
 */
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';

const ENV = ['FLOE_KEY_PASSPHRASE', 'DBUS_SESSION_BUS_ADDRESS', 'HOME', 'XDG_DATA_HOME'] as const;

export function scratchUser(dir: string): { end(): Promise<void> } {
  const saved = ENV.map((name) => process.env[name]);
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  process.env.HOME = join(dir, 'user');
  process.env.XDG_DATA_HOME = join(dir, 'user', '.local', 'share');
  return {
    async end() {
      await main(['localnet', 'stop'], () => {});
      ENV.forEach((name, i) => {
        if (saved[i] === undefined) delete process.env[name];
        else process.env[name] = saved[i];
      });
    },
  };
}
