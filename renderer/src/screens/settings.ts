/**
 * Settings: network, retention, renewal, latency against batching, excludes, upload
 * limit and relay, start at login. Saving sends only the settings that changed (PUT /api/settings leaves the others
 * as they are). The rules live in the server's schema alone: the form does not repeat
 * them, it shows the server's answer (`{ error, field }`) beside the field it names.
 */
import { BUILTIN_EXCLUDES, OPTIONAL_EXCLUDES } from '../../../core/sync/ignore.js';
import { ApiError } from '../api.js';
import { h } from '../dom.js';
import { formatDuration } from '../format.js';
import { icon } from '../icons.js';
import { errorText, failed, inlineError, loading } from '../placeholders.js';
import { networkCards, networkLabel } from '../networks.js';
import type { NetworkView, Settings } from '../wire.js';
import { askForNotifications, notificationState } from '../notifications.js';
import { spotCheckSettings } from '../spot-check-settings.js';
import type { Screen } from './screen.js';

const DAY_MS = 86_400_000;
type Preset = keyof typeof OPTIONAL_EXCLUDES;
type RetentionKey = keyof Settings['retention'];

const PRESETS: Record<Preset, string> = {
  nodeModules: 'JavaScript dependencies',
  caches: 'Cache folders',
};

const RETENTION: { key: Exclude<RetentionKey, 'withinMs'>; label: string }[] = [
  { key: 'last', label: 'Latest' },
  { key: 'hourly', label: 'Hourly' },
  { key: 'daily', label: 'Daily' },
  { key: 'weekly', label: 'Weekly' },
  { key: 'monthly', label: 'Monthly' },
  { key: 'yearly', label: 'Yearly' },
];

/** The latency choices, in ms: from "as soon as possible" to "gather an hour of changes". */
const WAITS = [
  1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
  3_600_000,
];

export const settingsScreen: Screen = (pane, { api }) => {
  const body = h('div', null, loading('Loading settings…'));
  pane.append(
    h(
      'div',
      { class: 'screen-head' },
      h('h1', { tabindex: -1 }, 'Settings'),
      h(
        'p',
        { class: 'lead' },
        'How Floe backs up, how long it keeps snapshots, and how it pays for storage.',
      ),
    ),
    body,
  );
  const load = async () => {
    body.replaceChildren(loading('Loading settings…'));
    try {
      const [settings, net] = await Promise.all([
        api.settings(),
        // Without it the form still works; it just cannot offer the restart.
        api.network().catch(() => null),
      ]);
      body.replaceChildren(settingsForm(settings, api.updateSettings, net, api.restartEngine));
    } catch (error) {
      body.replaceChildren(failed('Settings could not be loaded', error, () => void load()));
    }
  };
  void load();
};

function settingsForm(
  initial: Settings,
  save: (changes: Partial<Settings>) => Promise<Settings>,
  engine: NetworkView | null,
  restart: () => Promise<unknown>,
): HTMLElement {
  let saved = initial;
  const field = (name: string, ...content: (Node | string | null)[]) =>
    h('div', { class: 'field', 'data-field': name }, ...content);
  const numberInput = (id: string, value: number | undefined, min: number) =>
    h('input', { type: 'number', id, inputmode: 'numeric', min, step: 1, value: value ?? '' });

  // Network
  const networkChoice = networkCards(initial.network);
  const networkRadios = networkChoice.radios;
  const network = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'network' },
    h('legend', null, 'Network'),
    h('p', { class: 'hint' }, 'Changing the network starts the engine again on the new one.'),
    networkChoice.element,
  );

  /** The network saved is not the one running: say so, and offer to switch now. */
  const restartNote = h('div', { class: 'restart-note' });
  const drawRestart = () => {
    if (!engine || engine.running === saved.network) {
      restartNote.replaceChildren();
      return;
    }
    const name = networkLabel;
    const button = h(
      'button',
      {
        type: 'button',
        class: 'button button-small button-primary',
        on: {
          click: async () => {
            button.disabled = true;
            try {
              await restart();
              restartNote.replaceChildren(
                h('p', { class: 'hint' }, `Starting again on ${name(saved.network)}…`),
              );
            } catch (error) {
              restartNote.append(inlineError(error));
              button.disabled = false;
            }
          },
        },
      },
      icon('refresh'),
      'Restart the engine now',
    );
    restartNote.replaceChildren(
      h(
        'p',
        { class: 'hint' },
        `Floe is still backing up to ${name(engine.running)}; ${name(saved.network)} is used once the engine starts again.`,
      ),
      ...(engine.restartable ? [button] : []),
    );
  };
  network.append(restartNote);
  drawRestart();

  // Retention
  const retentionInputs = RETENTION.map((r) =>
    numberInput(`retention-${r.key}`, initial.retention[r.key], 0),
  );
  const withinDays = numberInput(
    'retention-within',
    initial.retention.withinMs === undefined ? undefined : initial.retention.withinMs / DAY_MS,
    0,
  );
  const retention = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'retention' },
    h('legend', null, 'Snapshots to keep'),
    h(
      'p',
      { class: 'hint' },
      'When snapshots are forgotten, Floe keeps this many of each kind (the latest of each hour, day, week…), every snapshot younger than "Keep all", and always the newest. Leave a box empty to keep none of that kind.',
    ),
    h(
      'div',
      { class: 'field-grid' },
      RETENTION.map((r, i) =>
        field(
          `retention.${r.key}`,
          h('label', { for: `retention-${r.key}` }, r.label),
          retentionInputs[i]!,
        ),
      ),
      field(
        'retention.withinMs',
        h('label', { for: 'retention-within' }, 'Keep all (days)'),
        withinDays,
      ),
    ),
  );

  // Renewal
  const windowInput = numberInput('renewal-window', initial.renewal.windowEpochs, 1);
  const termInput = numberInput('renewal-term', initial.renewal.termEpochs, 1);
  const renewal = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'renewal' },
    h('legend', null, 'Renewal'),
    h(
      'p',
      { class: 'hint' },
      'Blobs whose storage ends within the window are extended by the term. A longer term means fewer renewals, paid further ahead.',
    ),
    h(
      'div',
      { class: 'field-grid' },
      field(
        'renewal.windowEpochs',
        h('label', { for: 'renewal-window' }, 'Window (epochs)'),
        windowInput,
      ),
      field('renewal.termEpochs', h('label', { for: 'renewal-term' }, 'Term (epochs)'), termInput),
    ),
  );

  // Latency vs batching
  const waits = [...new Set([...WAITS, initial.packMaxWaitMs])].sort((a, b) => a - b);
  const waitInput = h('input', {
    type: 'range',
    id: 'pack-wait',
    min: 0,
    max: waits.length - 1,
    step: 1,
    value: waits.indexOf(initial.packMaxWaitMs),
    'aria-describedby': 'pack-wait-value',
  });
  const waitValue = h('output', { id: 'pack-wait-value', for: 'pack-wait' });
  const showWait = () => {
    const ms = waits[Number(waitInput.value)]!;
    waitValue.textContent = `Changes wait at most ${formatDuration(ms / 1000)} before they are stored`;
    waitInput.setAttribute('aria-valuetext', formatDuration(ms / 1000));
  };
  waitInput.addEventListener('input', showWait);
  showWait();
  const latency = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'packMaxWaitMs' },
    h('legend', null, 'Latency or batching'),
    h(
      'p',
      { class: 'hint' },
      'Sooner means each change is safe sooner. Later gathers more changes into fewer, fuller blobs — every blob costs a fixed amount of metadata on every storage node.',
    ),
    h(
      'div',
      { class: 'range' },
      h('span', { 'aria-hidden': 'true' }, 'Sooner'),
      waitInput,
      h('span', { 'aria-hidden': 'true' }, 'Fewer blobs'),
    ),
    waitValue,
  );

  // Excludes
  const presetBoxes = (Object.keys(PRESETS) as Preset[]).map((p) =>
    h('input', {
      type: 'checkbox',
      id: `preset-${p}`,
      value: p,
      checked: initial.excludes.presets.includes(p),
    }),
  );
  const patterns = h(
    'textarea',
    {
      id: 'exclude-patterns',
      rows: 5,
      spellcheck: 'false',
      'aria-describedby': 'exclude-patterns-hint',
    },
    initial.excludes.patterns.join('\n'),
  );
  const excludes = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'excludes' },
    h('legend', null, 'Leave out'),
    h('p', { class: 'hint' }, `Always left out: ${BUILTIN_EXCLUDES.join(', ')}.`),
    h(
      'div',
      { class: 'field', 'data-field': 'excludes.presets' },
      (Object.keys(PRESETS) as Preset[]).map((p, i) =>
        h(
          'label',
          { class: 'check', for: `preset-${p}` },
          presetBoxes[i]!,
          h('span', null, PRESETS[p], ' ', h('code', null, OPTIONAL_EXCLUDES[p].join(' '))),
        ),
      ),
    ),
    field(
      'excludes.patterns',
      h('label', { for: 'exclude-patterns' }, 'Patterns'),
      patterns,
      h(
        'span',
        { class: 'hint', id: 'exclude-patterns-hint' },
        'One per line, as in .gitignore: *.tmp, build/, /notes/private.md',
      ),
    ),
  );

  // Upload limit
  const uploadInput = numberInput('upload-limit', initial.uploadLimitKiBps, 0);
  const relayInput = h('input', {
    type: 'url',
    id: 'upload-relay',
    placeholder: 'https://upload-relay.example.com',
    spellcheck: 'false',
    value: initial.uploadRelayUrl,
    'aria-describedby': 'upload-relay-hint',
  });
  const maxTipInput = numberInput('upload-relay-max-tip', initial.uploadRelayMaxTipMist, 0);
  const upload = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'uploadLimitKiBps' },
    h('legend', null, 'Upload speed'),
    h(
      'p',
      { class: 'hint' },
      'Storing sends about five times the data to the storage nodes, or the data once to an upload relay. Cap the speed to leave room on your connection (0: no limit). Applies from the next blob stored.',
    ),
    field('uploadLimitKiBps', h('label', { for: 'upload-limit' }, 'Limit (KiB/s)'), uploadInput),
    field(
      'uploadRelayUrl',
      h('label', { for: 'upload-relay' }, 'Upload relay'),
      relayInput,
      h(
        'span',
        { class: 'hint', id: 'upload-relay-hint' },
        'Send each blob once to a Walrus upload relay, which passes it on to the storage nodes. Empty: send to the nodes directly.',
      ),
    ),
    field(
      'uploadRelayMaxTipMist',
      h('label', { for: 'upload-relay-max-tip' }, 'Most tip per blob (MIST)'),
      maxTipInput,
      h(
        'span',
        { class: 'hint' },
        'A paid relay asks a tip in SUI with each blob (1 SUI = 1,000,000,000 MIST); a blob whose tip is higher is not stored.',
      ),
    ),
  );

  // The safety valve against mass deletion
  const holdInput = numberInput('hold-deletions', initial.holdDeletionsPercent, 1);
  const safety = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'holdDeletionsPercent' },
    h('legend', null, 'Deletions'),
    h(
      'p',
      { class: 'hint' },
      'When a folder turns up empty, or with more than this share of its files gone (an unplugged drive, a mistaken delete), Floe keeps its last backup and asks you before recording the deletions. Other folders go on.',
    ),
    field(
      'holdDeletionsPercent',
      h(
        'label',
        { for: 'hold-deletions' },
        'Ask first when more than (%) of a folder’s files are gone',
      ),
      holdInput,
    ),
  );

  const spotCheck = spotCheckSettings(initial.spotCheck);

  // Start at login
  const atLogin = h('input', {
    type: 'checkbox',
    id: 'start-at-login',
    checked: initial.startAtLogin,
  });
  const startup = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'startAtLogin' },
    h('legend', null, 'Start'),
    h(
      'label',
      { class: 'check', for: 'start-at-login' },
      atLogin,
      h('span', null, 'Start Floe when I log in'),
    ),
  );

  // Notifications: the browser's own permission, asked from a click (the desktop app's
  // come from its main process and need nothing here).
  const alerts = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'notifications' },
    h('legend', null, 'Notifications'),
  );
  const drawAlerts = () => {
    const state = notificationState();
    const text: Record<typeof state, string> = {
      desktop:
        'Floe tells you when a backup keeps failing, a renewal fails, the balance runs low, a folder goes missing or deletions are held.',
      granted:
        'On: this window tells you when a backup keeps failing, a renewal fails, the balance runs low, a folder goes missing or deletions are held.',
      denied:
        'Blocked in this browser: allow notifications for this page in the browser’s site settings to turn them on.',
      default:
        'Get a notification when a backup keeps failing, a renewal fails, the balance runs low, a folder goes missing or deletions are held.',
      unsupported:
        'This browser cannot show notifications; the status bar and Activity show everything.',
    };
    alerts.replaceChildren(
      h('legend', null, 'Notifications'),
      h('p', { class: 'hint', id: 'notifications-state' }, text[state]),
      ...(state === 'default'
        ? [
            h(
              'button',
              {
                type: 'button',
                class: 'button button-small',
                on: { click: () => void askForNotifications().then(drawAlerts) },
              },
              'Turn on notifications',
            ),
          ]
        : []),
    );
  };
  drawAlerts();

  const read = (): Settings => {
    const retentionValues: Settings['retention'] = {};
    RETENTION.forEach((r, i) => {
      const v = retentionInputs[i]!.value;
      if (v !== '') retentionValues[r.key] = Number(v);
    });
    if (withinDays.value !== '')
      retentionValues.withinMs = Math.round(Number(withinDays.value) * DAY_MS);
    return {
      network: (networkRadios.find((r) => r.checked)?.value ??
        saved.network) as Settings['network'],
      // Set with `floe settings set localnetUrl URL`; this screen leaves it as it is.
      localnetUrl: saved.localnetUrl,
      retention: retentionValues,
      // An emptied box goes to the server as null, so its message says what is wrong.
      renewal: {
        windowEpochs: numberOrNull(windowInput.value),
        termEpochs: numberOrNull(termInput.value),
      },
      packMaxWaitMs: waits[Number(waitInput.value)]!,
      excludes: {
        presets: presetBoxes.filter((b) => b.checked).map((b) => b.value as Preset),
        patterns: patterns.value
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      },
      uploadLimitKiBps: numberOrNull(uploadInput.value),
      uploadRelayUrl: relayInput.value.trim(),
      uploadRelayMaxTipMist: numberOrNull(maxTipInput.value),
      holdDeletionsPercent: numberOrNull(holdInput.value),
      spotCheck: spotCheck.read(),
      startAtLogin: atLogin.checked,
    };
  };
  const changes = (): Partial<Settings> => {
    const now = read();
    const out: Partial<Record<keyof Settings, unknown>> = {};
    for (const key of Object.keys(now) as (keyof Settings)[])
      if (JSON.stringify(now[key]) !== JSON.stringify(saved[key])) out[key] = now[key];
    return out as Partial<Settings>;
  };

  const problem = h('div', { class: 'form-problem' });
  const note = h('span', { class: 'save-note', role: 'status' });
  const submit = h(
    'button',
    { type: 'submit', class: 'button button-primary', disabled: true },
    'Save changes',
  );
  const form: HTMLFormElement = h(
    'form',
    {
      class: 'settings',
      novalidate: true,
      on: {
        input: () => {
          submit.disabled = Object.keys(changes()).length === 0;
          note.textContent = '';
        },
        submit: (e) => {
          e.preventDefault();
          void send();
        },
      },
    },
    network,
    retention,
    renewal,
    latency,
    excludes,
    upload,
    safety,
    spotCheck.element,
    startup,
    alerts,
    h('div', { class: 'save-bar' }, problem, note, submit),
  );

  const clearErrors = () => {
    problem.replaceChildren();
    for (const el of form.querySelectorAll('.field-error')) el.remove();
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  };

  async function send(): Promise<void> {
    clearErrors();
    const changed = changes();
    if (!Object.keys(changed).length) return;
    submit.disabled = true;
    try {
      saved = await save(changed);
      note.replaceChildren(icon('check'), 'Saved');
      drawRestart();
    } catch (error) {
      showError(error);
      submit.disabled = false;
    }
  }

  /**
   * Puts each of the server's messages beside the field it names (`renewal.windowEpochs`,
   * `excludes.patterns[2]`…), or the nearest group that has one — every bad field at once,
   * the first one scrolled into view above the save bar.
   */
  function showError(error: unknown): void {
    const problems =
      error instanceof ApiError && error.problems.length
        ? error.problems
        : error instanceof ApiError && error.field
          ? [{ field: error.field, problem: error.message.replace(`${error.field} `, '') }]
          : [];
    let first: HTMLElement | null = null;
    for (const { field, problem: text } of problems) {
      let target: HTMLElement | null = null;
      for (
        let n: string | undefined = field.replace(/\[\d+\]$/, '');
        n && !target;
        n = n.includes('.') ? n.slice(0, n.lastIndexOf('.')) : undefined
      )
        target = form.querySelector<HTMLElement>(`[data-field="${CSS.escape(n)}"]`);
      if (!target) continue;
      const id = `error-${Math.random().toString(36).slice(2)}`;
      target.append(
        h(
          'p',
          { class: 'field-error', id, role: 'alert' },
          icon('alert'),
          h('span', null, errorText(inWords(field, text))),
        ),
      );
      const input = target.querySelector<HTMLInputElement>('input, textarea');
      input?.setAttribute('aria-invalid', 'true');
      input?.setAttribute('aria-errormessage', id);
      first ??= target;
    }
    if (!first) {
      problem.replaceChildren(inlineError(error));
      return;
    }
    const count = form.querySelectorAll('.field-error').length;
    problem.replaceChildren(
      inlineError(
        new Error(
          count === 1
            ? 'Not saved: fix the field marked above.'
            : `Not saved: fix the ${count} fields marked above.`,
        ),
      ),
    );
    // Above the sticky save bar, not under it.
    first.scrollIntoView({ block: 'center' });
    first.querySelector<HTMLInputElement>('input, textarea')?.focus({ preventScroll: true });
  }

  return form;
}

function numberOrNull(value: string): number {
  return (value === '' ? null : Number(value)) as number;
}

/** The server's words for a field, with the screen's own labels where it names keys. */
function inWords(field: string, text: string): string {
  if (field === 'retention' && /retention policy|keep/i.test(text))
    return 'Keep at least one snapshot: fill in at least one of the boxes above.';
  return text;
}
