/** Exit codes of `floe`, documented in README. */
export const EXIT = {
  ok: 0,
  /** Something failed; the message says what. */
  failure: 1,
  /** The command line was wrong. */
  usage: 2,
  /** The network (chain or storage nodes) could not be reached or could not serve. */
  network: 3,
  /** The recovery phrase does not open this account's backups. */
  wrongPhrase: 4,
  /** Another Floe process (watch, the desktop app) holds the data directory. */
  busy: 5,
} as const;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
