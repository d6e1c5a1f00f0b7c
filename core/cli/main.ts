/**
 * `floe`: the command line. Each command is a module under commands/; this file parses
 * the global options, dispatches, and turns errors into messages and exit codes.
 */
import { isNetworkUnavailable } from '../walrus/client/unavailable.js';
import { WrongRecoveryPhraseError, InvalidRecoveryPhraseError } from '../repo/keys.js';
import { NoBackupsFoundError } from '../sync/restore.js';
import { initCommand } from './commands/account.js';
import { backupCommand } from './commands/backup.js';
import { blobCommand } from './commands/blob.js';
import { addCommand, removeCommand } from './commands/folders.js';
import { restoreCommand, snapshotsCommand } from './commands/snapshots.js';
import { NotInitializedError } from '../session/session.js';
import { localnetCommand } from './commands/localnet.js';
import { doctorCommand } from './commands/doctor.js';
import { daemonCommand } from './commands/daemon.js';
import { indexCommand } from './commands/index-rebuild.js';
import { findCommand, versionsCommand } from './commands/find.js';
import { lsCommand } from './commands/ls.js';
import { checkCommand, forgetCommand, renewCommand } from './commands/maintenance.js';
import { proofCommand, verifyCommand } from './commands/proof.js';
import { settingsCommand } from './commands/settings.js';
import { statusCommand } from './commands/status.js';
import { watchCommand } from './commands/watch.js';
import { IndexBusyError } from '../index/lock.js';
import { UnknownNetworkError } from '../walrus/chain/networks.js';
import { EXIT, UsageError } from './errors.js';

export interface CommandContext {
  json: boolean;
  dataDir?: string;
  /** `--network local|testnet|mainnet`; unset means the setting (default: the localnet). */
  network?: string;
  /** `--localnet URL`: a localnet running elsewhere (default: the setting, else the user's). */
  localnetUrl?: string;
  out: (line: string) => void;
  signal?: AbortSignal;
}

const COMMANDS: Record<string, (args: string[], ctx: CommandContext) => Promise<number>> = {
  init: initCommand,
  add: addCommand,
  remove: removeCommand,
  backup: backupCommand,
  watch: watchCommand,
  status: statusCommand,
  snapshots: snapshotsCommand,
  ls: lsCommand,
  find: findCommand,
  versions: versionsCommand,
  restore: restoreCommand,
  renew: renewCommand,
  forget: forgetCommand,
  check: checkCommand,
  proof: proofCommand,
  verify: verifyCommand,
  index: indexCommand,
  doctor: doctorCommand,
  settings: settingsCommand,
  daemon: daemonCommand,
  localnet: localnetCommand,
  blob: blobCommand,
};

const HELP = `floe — back up folders to Walrus

usage: floe [--json] [--data DIR] [--network local|testnet|mainnet] [--localnet URL] COMMAND ...

commands:
  init              create an account: a recovery phrase, kept in the OS keychain
  add DIR           back up this folder
  remove DIR        stop backing up this folder
  backup            back up every folder now
  watch             back up on every change, renew on every epoch, until Ctrl-C
  status            folders, last snapshot, next expiry, balance and cost per epoch
  snapshots         list the backups on the network
  ls SNAPSHOT [PATH]  list a snapshot's files (SNAPSHOT: an id prefix or "latest")
  find PATTERN      find a name in every snapshot (substring, or a glob with * ? [...])
  versions PATH     the versions of one file or folder across snapshots, and when it changed
  restore           restore a snapshot (whole, --path SUB, or on a new machine with --phrase)
  renew [--dry-run] extend live blobs before they expire, delete dead ones
  forget --keep-…   apply a retention policy, then prune and compact
  check [--read-data]  verify every snapshot's data is on the network (and readable)
  proof [SNAPSHOT]  who certified each blob of a snapshot, on chain, and until when it is stored
  verify [SNAPSHOT] [--sample PERCENT]  spot-check: fetch and verify a sample of every node's slivers
  index rebuild [--search]  recreate the local index (or only its search index) from the network
  doctor            check everything Floe depends on and say what to fix
  settings [set NAME VALUE]  show or change a setting (e.g. uploadRelayUrl, uploadLimitKiBps)
  daemon [--port N] [--open]  the engine and the local API without a window; serves the UI
  localnet start|stop  run your local Walrus network (ledger + storage nodes) in the
                    foreground, or stop the one Floe started in the background
  blob put|get|extend|rm|ls   store and manage raw blobs on it

exit codes: 0 ok, 1 failure, 2 usage, 3 network unavailable, 4 wrong recovery phrase,
            5 another Floe process is using the data directory`;

export async function main(
  argv: string[],
  out: (line: string) => void = console.log,
): Promise<number> {
  const args = [...argv];
  const ctx: CommandContext = { json: false, out };
  while (args[0]?.startsWith('--')) {
    const flag = args.shift()!;
    if (flag === '--json') ctx.json = true;
    else if (flag === '--data') ctx.dataDir = args.shift();
    else if (flag === '--network') ctx.network = args.shift();
    else if (flag === '--localnet') ctx.localnetUrl = args.shift();
    else if (flag === '--help') return (out(HELP), EXIT.ok);
    else return (console.error(`unknown option ${flag}\n\n${HELP}`), EXIT.usage);
  }
  const [name, ...rest] = args;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(name ? `unknown command "${name}"\n\n${HELP}` : HELP);
    return name ? EXIT.usage : EXIT.ok;
  }
  try {
    return await command(rest, ctx);
  } catch (error) {
    const e = error as Error;
    console.error(
      ctx.json
        ? JSON.stringify({ error: { name: e.name, message: e.message } })
        : `floe: ${e.message}`,
    );
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    )
      return EXIT.usage;
    if (
      error instanceof WrongRecoveryPhraseError ||
      error instanceof InvalidRecoveryPhraseError ||
      error instanceof NoBackupsFoundError
    )
      return EXIT.wrongPhrase;
    if (error instanceof NotInitializedError) return EXIT.usage;
    if (error instanceof IndexBusyError) return EXIT.busy;
    if (error instanceof UnknownNetworkError) return EXIT.usage;
    if (isNetworkUnavailable(error)) return EXIT.network;
    return EXIT.failure;
  }
}
