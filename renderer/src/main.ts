/**
 * Start-up: find the run's token, ask whether this machine has an account yet, and show
 * onboarding or the app. Every way this can fail ends on a page that says what to do.
 */
import { Api, ApiError } from './api.js';
import { startApp } from './app.js';
import { h } from './dom.js';
import { logo } from './icons.js';
import { Live } from './live.js';
import { failed, loading } from './placeholders.js';
import { RestoreTracker } from './restores.js';
import { startOnboarding } from './screens/onboarding.js';
import { apiToken, forgetToken } from './token.js';
import type { AccountState } from './wire.js';

const root = document.getElementById('root')!;

function standalone(...content: Node[]): void {
  root.replaceChildren(
    h(
      'div',
      { class: 'standalone' },
      h('div', { class: 'brand brand-large' }, logo(), h('span', null, 'Floe')),
      ...content,
    ),
  );
}

async function boot(): Promise<void> {
  const token = apiToken();
  if (!token) {
    standalone(
      failed(
        'This page needs Floe’s link',
        new Error(
          'Open Floe from the desktop app, or from the address `floe daemon` printed (it ends in #token=…): that link carries the key this page uses to talk to Floe.',
        ),
      ),
    );
    return;
  }
  const api = new Api(token);
  standalone(loading('Connecting to Floe…'));
  let account: AccountState;
  try {
    account = await api.account();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      forgetToken();
      standalone(
        failed(
          'This link has expired',
          new Error(
            'Floe was restarted and uses a new key now. Open it again from the desktop app or from the link `floe daemon` printed.',
          ),
        ),
      );
    } else standalone(failed('Floe could not be reached', error, () => void boot()));
    return;
  }
  const open = (path?: string) => {
    if (path) history.replaceState(null, '', path);
    const live = new Live(api.eventsUrl());
    live.start();
    startApp(root, api, live, new RestoreTracker(api, live));
  };
  if (account.account) open();
  else startOnboarding(root, api, open, account.network);
}

void boot();
