/**
 * First run: create an account — the 24-word phrase shown once, then three of its words
 * asked back, so nobody reaches "done" without having written it down — or restore one
 * from its phrase. The phrase lives only in this function's memory; it is sent back to
 * Floe once, to confirm, and never stored by the page. The first screen also says where
 * the backups will go, and lets the user choose (the local test network by default).
 */
import { ApiError, type Api } from '../api.js';
import { h } from '../dom.js';
import { icon, logo } from '../icons.js';
import { networkCards } from '../networks.js';
import { inlineError, loading } from '../placeholders.js';

const PHRASE_WORDS = 24;
const WORDS_TO_CONFIRM = 3;

/** `done` opens the app, at `path` if given; `network` is the one Floe would use now. */
export function startOnboarding(
  root: HTMLElement,
  api: Api,
  done: (path?: string) => void,
  network: string,
): void {
  const card = h('section', { class: 'onboarding-card' });
  root.replaceChildren(
    h(
      'div',
      { class: 'standalone' },
      h('div', { class: 'brand brand-large' }, logo(), h('span', null, 'Floe')),
      card,
    ),
  );
  document.title = 'Welcome · Floe';

  const show = (...content: Node[]) => {
    card.replaceChildren(...content);
    card.querySelector<HTMLElement>('h1')?.focus();
  };
  const heading = (text: string) => h('h1', { tabindex: -1 }, text);
  const back = () =>
    h('button', { type: 'button', class: 'link-button', on: { click: welcome } }, '← Back');

  function welcome(): void {
    const networks = networkCards(network);
    networks.element.addEventListener('change', () => (network = networks.value()));
    show(
      heading('Back up your folders to Walrus'),
      h(
        'p',
        { class: 'lead' },
        'Floe encrypts your files on this computer, then keeps them on a Walrus network. A recovery phrase of 24 words is the key to them.',
      ),
      h(
        'fieldset',
        { class: 'settings-group', 'data-field': 'network' },
        h('legend', null, 'Where your backups go'),
        networks.element,
      ),
      h(
        'div',
        { class: 'choices' },
        h(
          'button',
          { type: 'button', class: 'choice', on: { click: () => void create() } },
          icon('plus'),
          h('strong', null, 'Create a new account'),
          h('span', null, 'Start backing up. Floe makes your recovery phrase.'),
        ),
        h(
          'button',
          { type: 'button', class: 'choice', on: { click: restore } },
          icon('key'),
          h('strong', null, 'Restore from a recovery phrase'),
          h('span', null, 'Already use Floe? Bring your backups to this computer.'),
        ),
      ),
    );
  }

  async function create(): Promise<void> {
    show(loading('Creating your account…'));
    try {
      const { phrase } = await api.createAccount(network);
      showPhrase(phrase.split(' '));
    } catch (error) {
      show(heading('Create a new account'), inlineError(error), back());
    }
  }

  function showPhrase(words: string[]): void {
    const written = h('input', { type: 'checkbox', id: 'written' });
    const next = h(
      'button',
      {
        type: 'button',
        class: 'button button-primary',
        disabled: true,
        on: { click: () => confirm(words) },
      },
      'Continue',
    );
    written.addEventListener('change', () => (next.disabled = !written.checked));
    show(
      heading('Your recovery phrase'),
      h(
        'div',
        { class: 'callout callout-warning' },
        icon('alert'),
        h(
          'div',
          null,
          h(
            'strong',
            null,
            'Write these 24 words down on paper, in this order, and keep them safe.',
          ),
          h(
            'p',
            null,
            'They are the only way to get your backups back if this computer is lost. Floe shows them only this once and cannot recover them for you. Anyone who has them can read your backups.',
          ),
        ),
      ),
      h(
        'ol',
        { class: 'phrase-grid', 'aria-label': 'Recovery phrase' },
        words.map((word, i) =>
          h(
            'li',
            null,
            h('span', { class: 'word-number' }, i + 1),
            h('span', { class: 'word' }, word),
          ),
        ),
      ),
      h('label', { class: 'check', for: 'written' }, written, 'I have written down all 24 words'),
      h('div', { class: 'actions' }, next),
    );
  }

  function confirm(words: string[]): void {
    const asked = pickPositions(words.length, WORDS_TO_CONFIRM);
    const inputs = asked.map((i) =>
      h('input', {
        type: 'text',
        id: `word-${i + 1}`,
        autocomplete: 'off',
        autocapitalize: 'off',
        spellcheck: 'false',
        'data-position': i + 1,
      }),
    );
    const problem = h('div', { class: 'form-problem' });
    const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Confirm');
    const form = h(
      'form',
      {
        class: 'confirm-form',
        novalidate: true,
        on: {
          submit: (e) => {
            e.preventDefault();
            void check();
          },
        },
      },
      h(
        'div',
        { class: 'confirm-words' },
        asked.map((i, k) =>
          h(
            'label',
            { class: 'field', for: `word-${i + 1}` },
            h('span', null, `Word ${i + 1}`),
            inputs[k]!,
          ),
        ),
      ),
      problem,
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button', on: { click: () => showPhrase(words) } },
          'Show the words again',
        ),
        submit,
      ),
    );

    async function check(): Promise<void> {
      problem.replaceChildren();
      const wrong = asked.filter(
        (position, k) => inputs[k]!.value.trim().toLowerCase() !== words[position],
      );
      inputs.forEach((input, k) =>
        input.setAttribute('aria-invalid', String(wrong.includes(asked[k]!))),
      );
      if (wrong.length) {
        problem.replaceChildren(
          inlineError(
            new Error(
              `${wrong.map((p) => `Word ${p + 1}`).join(' and ')} ${wrong.length > 1 ? 'do' : 'does'} not match. Check what you wrote down, or show the words again.`,
            ),
          ),
        );
        inputs[asked.indexOf(wrong[0]!)]!.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = 'Setting up…';
      try {
        await api.confirmAccount(words.join(' '));
        ready();
      } catch (error) {
        problem.replaceChildren(inlineError(error));
        submit.disabled = false;
        submit.textContent = 'Confirm';
      }
    }

    show(
      heading('Confirm your recovery phrase'),
      h(
        'p',
        { class: 'lead' },
        'To be sure you have it, type these words from what you wrote down.',
      ),
      form,
    );
    inputs[0]!.focus();
  }

  function ready(): void {
    show(
      h('div', { class: 'success-mark' }, icon('check')),
      heading('Your account is ready'),
      h('p', { class: 'lead' }, 'Now choose the folders Floe should back up.'),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          { type: 'button', class: 'button button-primary', on: { click: () => done('/folders') } },
          'Choose folders',
        ),
      ),
    );
  }

  function restore(): void {
    const phrase = h('textarea', {
      id: 'phrase',
      rows: 4,
      autocomplete: 'off',
      autocapitalize: 'off',
      spellcheck: 'false',
      'aria-describedby': 'phrase-count',
    });
    const count = h('span', { id: 'phrase-count', class: 'hint' }, `0 of ${PHRASE_WORDS} words`);
    phrase.addEventListener('input', () => {
      count.textContent = `${phraseWords(phrase.value).length} of ${PHRASE_WORDS} words`;
    });
    const problem = h('div', { class: 'form-problem' });
    const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Restore');
    const form = h(
      'form',
      {
        novalidate: true,
        on: {
          submit: (e) => {
            e.preventDefault();
            void send();
          },
        },
      },
      h('label', { class: 'field', for: 'phrase' }, h('span', null, 'Recovery phrase'), phrase),
      count,
      problem,
      h('div', { class: 'actions' }, back(), submit),
    );

    async function send(): Promise<void> {
      problem.replaceChildren();
      phrase.removeAttribute('aria-invalid');
      submit.disabled = true;
      submit.textContent = 'Restoring…';
      problem.replaceChildren(
        loading('Finding your backups on the network. This can take a minute.'),
      );
      const words = phraseWords(phrase.value).join(' ');
      try {
        await api.restoreAccount(words, network);
        // The folders come back "not yet restored": the folder list says what to do next.
        done('/folders');
      } catch (error) {
        problem.replaceChildren(inlineError(error));
        // No backups for these words: a typo far more often than a wish for a new account —
        // but that is the user's call, and it is offered, not assumed.
        if (error instanceof ApiError && error.status === 404)
          problem.append(
            h(
              'button',
              {
                type: 'button',
                class: 'button button-small',
                on: {
                  click: async () => {
                    problem.replaceChildren(loading('Starting a new account with these words…'));
                    try {
                      await api.restoreAccount(words, network, true);
                      done('/folders');
                    } catch (again) {
                      problem.replaceChildren(inlineError(again));
                    }
                  },
                },
              },
              'These words are right: start a new account with them',
            ),
          );
        phrase.setAttribute('aria-invalid', 'true');
        submit.disabled = false;
        submit.textContent = 'Restore';
        phrase.focus();
      }
    }

    show(
      heading('Restore from a recovery phrase'),
      h('p', { class: 'lead' }, 'Type the 24 words you wrote down, in order, separated by spaces.'),
      form,
    );
    phrase.focus();
  }

  welcome();
}

function phraseWords(text: string): string[] {
  return text.trim().toLowerCase().split(/\s+/).filter(Boolean);
}

/** `n` distinct positions out of `length`, in order, from the browser's CSPRNG. */
function pickPositions(length: number, n: number): number[] {
  const chosen = new Set<number>();
  const random = new Uint32Array(1);
  while (chosen.size < n) {
    crypto.getRandomValues(random);
    chosen.add(random[0]! % length);
  }
  return [...chosen].sort((a, b) => a - b);
}
