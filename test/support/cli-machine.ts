/**
 * Machines running `floe` against one localnet that this process steps by hand: each
 * machine is a data directory whose `localnet/localnet.json` names the shared ledger, as
 * `floe localnet start` would write it, so the CLI connects to it instead of starting its
 * own. The key file stands in for the keychain (a headless server). `close` stops the
 * network and removes everything.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../core/cli/main.js';
import { Localnet, type LocalnetOptions } from '../../core/localnet/network.js';

export interface CliMachine {
  home: string;
  /** Runs `floe --data home ARGS`; what it printed is in `lines`, its error messages in `errors`. */
  run(...args: string[]): Promise<number>;
  /** Runs `floe --data home --json ARGS` and parses the last line printed. */
  json<T>(...args: string[]): Promise<{ code: number; value: T }>;
  lines: string[];
  errors: string[];
}

export interface CliNetwork {
  dir: string;
  net: Localnet;
  machine(name: string): Promise<CliMachine>;
  close(): Promise<void>;
}

export async function startCliNetwork(o: Partial<LocalnetOptions> = {}): Promise<CliNetwork> {
  const dir = await mkdtemp(join(tmpdir(), 'floe-cli-net-'));
  const saved = {
    pass: process.env.FLOE_KEY_PASSPHRASE,
    bus: process.env.DBUS_SESSION_BUS_ADDRESS,
  };
  process.env.FLOE_KEY_PASSPHRASE = 'test passphrase';
  process.env.DBUS_SESSION_BUS_ADDRESS = `unix:path=${join(dir, 'no-bus')}`;
  const net = await Localnet.start({
    dir: join(dir, 'network'),
    nodes: 4,
    nShards: 10,
    autoAdvance: false,
    nodePollIntervalMs: 50,
    ...o,
  });
  return {
    dir,
    net,
    async machine(name) {
      const home = join(dir, name);
      await mkdir(join(home, 'localnet'), { recursive: true });
      await writeFile(
        join(home, 'localnet', 'localnet.json'),
        JSON.stringify({ ledgerUrl: net.url, nodes: [], account: null }),
      );
      const lines: string[] = [];
      const errors: string[] = [];
      const run = async (...args: string[]) => {
        // main reports a failure on stderr, as a user sees it.
        const printError = console.error;
        console.error = (...parts: unknown[]) => void errors.push(parts.join(' '));
        try {
          return await main(['--data', home, ...args], (l) => lines.push(l));
        } finally {
          console.error = printError;
        }
      };
      return {
        home,
        lines,
        errors,
        run,
        async json<T>(...args: string[]) {
          const code = await run('--json', ...args);
          return { code, value: JSON.parse(lines.pop() ?? 'null') as T };
        },
      };
    },
    async close() {
      await net.stop();
      if (saved.pass === undefined) delete process.env.FLOE_KEY_PASSPHRASE;
      else process.env.FLOE_KEY_PASSPHRASE = saved.pass;
      if (saved.bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved.bus;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
