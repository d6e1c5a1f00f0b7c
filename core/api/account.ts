/**
 * First run, through the API: create an account (the phrase is shown once, then the user
 * proves they wrote it down) or bring one back from its phrase. Until one of those
 * finishes, the rest of the API answers 409; afterwards `onReady` has started the engine.
 *
 * | method | path                 | body       | answer                                      |
 * | ------ | -------------------- | ---------- | ------------------------------------------- |
 * | GET    | /api/account         |            | `{ account: address or null, pending }`     |
 * | POST   | /api/account/create  | `{}`       | `{ phrase, address }` — the only time shown |
 * | POST   | /api/account/confirm | `{phrase}` | `{ account }` once it matches the new phrase |
 * | POST   | /api/account/restore | `{phrase}` | `{ account, restored }` (snapshots found)    |
 */
import type { Index } from '../index/index.js';
import {
  deriveKeys,
  generateRecoveryPhrase,
  InvalidRecoveryPhraseError,
  type RepoKeys,
} from '../repo/keys.js';
import type { SecretStore } from '../repo/secret-store.js';
import { HttpError } from './http.js';
import { get, withBody, type Route } from './router.js';

const PHRASE_BODY = {
  type: 'object',
  properties: { phrase: { type: 'string', minLength: 1, maxLength: 1000 } },
  required: ['phrase'],
} as const;

export interface OnboardingOptions {
  index: Index;
  secrets: SecretStore;
  /** Starts the engine for the account; `restored` when it came from an existing phrase. */
  onReady(keys: RepoKeys, restored: boolean): Promise<{ restored?: number }>;
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
        body: { account: this.account(), pending: this.pending !== null },
      })),
      withBody('POST', '/api/account/create', { type: 'object', properties: {} }, () => {
        this.refuseIfReady();
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
        const account = await this.adopt(this.pending, false);
        this.pending = null;
        return { status: 200, body: account };
      }),
      withBody('POST', '/api/account/restore', PHRASE_BODY, async ({ body }) => {
        this.refuseIfReady();
        return { status: 200, body: await this.adopt(normalise(body.phrase), true) };
      }),
    ];
  }

  private refuseIfReady(): void {
    const account = this.account();
    if (account) throw new HttpError(409, `this machine already backs up as ${account}`);
    if (this.busy) throw new HttpError(409, 'an account is being set up');
  }

  private async adopt(
    phrase: string,
    restored: boolean,
  ): Promise<{ account: string; restored?: number }> {
    let keys: RepoKeys;
    try {
      keys = deriveKeys(phrase);
    } catch (error) {
      if (error instanceof InvalidRecoveryPhraseError) throw new HttpError(400, error.message);
      throw error;
    }
    this.busy = true;
    try {
      // The engine first: if the network is down, nothing is remembered and the user retries.
      const started = await this.o.onReady(keys, restored);
      await this.o.secrets.set(keys.address, phrase);
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
