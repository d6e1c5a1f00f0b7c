/**
 * First run, through the API: create an account (the phrase is shown once, then the user
 * proves they wrote it down) or bring one back from its phrase. Until one of those
 * finishes, the rest of the API answers 409; afterwards `onReady` has started the engine.
 *
 * | method | path                 | body       | answer                                      |
 * | ------ | -------------------- | ---------- | ------------------------------------------- |
 * | GET    | /api/account         |            | `{ account: address or null, pending, network }` |
 * | POST   | /api/account/create  | `{network?}` | `{ phrase, address }` — the only time shown |
 * | POST   | /api/account/confirm | `{phrase}` | `{ account }` once it matches the new phrase |
 * | POST   | /api/account/restore | `{phrase, startNew?, network?}` | `{ account, restored }`; 404 when the phrase holds no backups (unless `startNew`) |
 *
 * `network` is where the backups go (the setting of that name): create and restore take
 * the user's choice, and the account state names the network in use.
 */
import type { Index } from '../index/index.js';
import { SETTINGS_SCHEMA, updateSettings } from '../index/settings.js';
import {
  deriveKeys,
  generateRecoveryPhrase,
  InvalidRecoveryPhraseError,
  type RepoKeys,
} from '../repo/keys.js';
import { KeychainUnavailableError, type SecretStore } from '../repo/secret-store.js';
import { NoBackupsFoundError } from '../sync/restore.js';
import { HttpError } from './http.js';
import { get, withBody, type Route } from './router.js';

const PHRASE_BODY = {
  type: 'object',
  properties: { phrase: { type: 'string', minLength: 1, maxLength: 1000 } },
  required: ['phrase'],
} as const;

const NETWORK = SETTINGS_SCHEMA.properties.network;

const CREATE_BODY = { type: 'object', properties: { network: NETWORK } } as const;

const RESTORE_BODY = {
  type: 'object',
  properties: {
    phrase: { type: 'string', minLength: 1, maxLength: 1000 },
    network: NETWORK,
    /** A phrase that holds no backups yet starts a new account instead of being refused. */
    startNew: { type: 'boolean' },
  },
  required: ['phrase'],
} as const;

/**
 * How an account comes to run: created here, restored (its backups must exist), restored
 * or else started new (the user asked), or already on this machine.
 */
export type AccountStart = 'new' | 'restore' | 'restore-or-new' | 'existing';

export interface OnboardingOptions {
  index: Index;
  /**
   * Where the phrase will be kept, opened when an account is set up: Floe serves the UI
   * before then on a machine with no keychain, and says so when the user gets to it.
   */
  secrets(): Promise<SecretStore>;
  /** The network the engine uses, or will use once an account runs. */
  network(): string;
  /** Starts the engine for the account; throws NoBackupsFoundError for a restore that finds none. */
  onReady(keys: RepoKeys, how: AccountStart): Promise<{ restored?: number }>;
}

export class Onboarding {
  /** The phrase `create` showed, waiting for the user to confirm it. Never written down here. */
  private pending: string | null = null;
  private busy = false;

  constructor(private readonly o: OnboardingOptions) {}

  account(): string | null {
    return this.o.index.getSetting<string | null>('account', null);
  }

  routes(): Route[] {
    return [
      get('/api/account', () => ({
        status: 200,
        body: {
          account: this.account(),
          pending: this.pending !== null,
          network: this.o.network(),
        },
      })),
      withBody('POST', '/api/account/create', CREATE_BODY, async ({ body }) => {
        this.refuseIfReady();
        // Before the phrase is shown: nobody should write down words that cannot be kept.
        await this.secrets();
        if (body.network) updateSettings(this.o.index, { network: body.network });
        this.pending = generateRecoveryPhrase();
        return {
          status: 201,
          body: { phrase: this.pending, address: deriveKeys(this.pending).address },
        };
      }),
      withBody('POST', '/api/account/confirm', PHRASE_BODY, async ({ body }) => {
        this.refuseIfReady();
        if (!this.pending) throw new HttpError(409, 'create an account first');
        if (normalise(body.phrase) !== this.pending)
          throw new HttpError(400, 'that is not the phrase shown: check the words and their order');
        const account = await this.adopt(this.pending, 'new');
        this.pending = null;
        return { status: 200, body: account };
      }),
      withBody('POST', '/api/account/restore', RESTORE_BODY, async ({ body }) => {
        this.refuseIfReady();
        const how = body.startNew ? 'restore-or-new' : 'restore';
        if (body.network) updateSettings(this.o.index, { network: body.network });
        return { status: 200, body: await this.adopt(normalise(body.phrase), how) };
      }),
    ];
  }

  private async secrets(): Promise<SecretStore> {
    try {
      return await this.o.secrets();
    } catch (error) {
      if (error instanceof KeychainUnavailableError) throw new HttpError(503, error.message);
      throw error;
    }
  }

  private refuseIfReady(): void {
    const account = this.account();
    if (account) throw new HttpError(409, `this machine already backs up as ${account}`);
    if (this.busy) throw new HttpError(409, 'an account is being set up');
  }

  private async adopt(
    phrase: string,
    how: AccountStart,
  ): Promise<{ account: string; restored?: number }> {
    let keys: RepoKeys;
    try {
      keys = deriveKeys(phrase);
    } catch (error) {
      if (error instanceof InvalidRecoveryPhraseError) throw new HttpError(400, error.message);
      throw error;
    }
    const secrets = await this.secrets();
    this.busy = true;
    try {
      // The engine first: if the network is down, nothing is remembered and the user retries.
      let started: { restored?: number };
      try {
        started = await this.o.onReady(keys, how);
      } catch (error) {
        // Nothing is saved: the words can be checked and tried again.
        if (error instanceof NoBackupsFoundError) throw new HttpError(404, error.message);
        throw error;
      }
      await secrets.set(keys.address, phrase);
      this.o.index.setSetting('account', keys.address);
      return { account: keys.address, ...started };
    } finally {
      this.busy = false;
    }
  }
}

function normalise(phrase: string): string {
  return phrase.trim().toLowerCase().split(/\s+/).join(' ');
}
