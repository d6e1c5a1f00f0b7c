/**
 * The bar above every screen: Floe's overall state in one line — synced, syncing N %,
 * paused, renewal due, renewal failed, offline — and "Back up now". The state is
 * `overallState`, the tray's own, so the window and the tray icon can never tell two stories.
 * It also names the network the backups go to.
 */
import { overallState, type OverallState } from '../../core/sync/overall-state.js';
import { ApiError, type Api } from './api.js';
import { h } from './dom.js';
import { icon, type IconName } from './icons.js';
import type { Live } from './live.js';
import { networkLabel } from './networks.js';
import { notify } from './notifications.js';
import { errorText } from './placeholders.js';
import type { Status } from './wire.js';

/** Status is cheap to read; events bring news sooner, this catches what has no event (epochs). */
const POLL_MS = 5_000;

const LOOK: Record<OverallState, { label: string; icon: IconName }> = {
  synced: { label: 'Synced', icon: 'check' },
  syncing: { label: 'Syncing', icon: 'refresh' },
  paused: { label: 'Paused', icon: 'pause' },
  'renewal-due': { label: 'Renewal due', icon: 'storage' },
  'renewal-failed': { label: 'Renewal failed', icon: 'alert' },
  offline: { label: 'Offline', icon: 'cloud' },
  pending: { label: 'Waiting', icon: 'refresh' },
  attention: { label: 'Needs you', icon: 'alert' },
  'backup-failed': { label: 'Backup failed', icon: 'alert' },
};

export function statusBar(api: Api, live: Live): { element: HTMLElement; stop(): void } {
  let status: Status | null = null;
  let unreachable = false;
  /** Floe answered the status request with an error (it is running, but something is wrong). */
  let statusProblem = '';
  /** "Back up now" was refused, and why. */
  let actionProblem = '';
  let polling: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const badge = h('span', { class: 'state-badge' });
  const headline = h('span', { class: 'state-headline' });
  const detail = h('span', { class: 'state-detail' });
  const meter = h('progress', {
    class: 'state-progress',
    max: 100,
    'aria-label': 'Backup progress',
  });
  const notice = h('span', { class: 'state-notice', role: 'alert' });
  // Progress redraws the bar several times a second; a screen reader hears only new states.
  const announcer = h('span', { class: 'visually-hidden', role: 'status' });
  // Where the backups go; it changes only when Floe restarts.
  const network = h('span', { class: 'state-network' });
  void api.account().then(
    (a) => (network.textContent = networkLabel(a.network)),
    () => undefined,
  );
  const backupButton = h(
    'button',
    { type: 'button', class: 'button button-small', on: { click: () => void backupNow() } },
    icon('refresh'),
    'Back up now',
  );
  const pauseButton = h(
    'button',
    {
      type: 'button',
      class: 'button button-small button-quiet',
      on: { click: () => void togglePause() },
    },
    icon('pause'),
    'Pause',
  );
  const element = h(
    'header',
    { class: 'status-bar' },
    h(
      'div',
      { class: 'state', 'data-state': 'connecting' },
      badge,
      h('span', { class: 'state-text' }, headline, detail),
    ),
    announcer,
    meter,
    notice,
    network,
    pauseButton,
    backupButton,
  );
  const state = element.querySelector<HTMLElement>('.state')!;

  const draw = () => {
    notice.textContent = actionProblem || statusProblem;
    if (!status && !unreachable) {
      state.dataset.state = 'connecting';
      badge.replaceChildren(h('span', { class: 'spinner', 'aria-hidden': 'true' }));
      headline.textContent = 'Connecting to Floe…';
      detail.textContent = '';
      meter.hidden = true;
      backupButton.disabled = true;
      return;
    }
    const view = overallState({
      status,
      progress: live.progress,
      engineUnreachable: unreachable,
      paused: status?.paused ?? false,
      now: Date.now(),
    });
    const look = LOOK[view.state];
    const tooltipHead = view.headline;
    const rest = view.details;
    // "Offline: the chain…" beside an "Offline" badge says it twice; the badge keeps the word.
    const first = errorText(tooltipHead.replace(new RegExp(`^${look.label}: `, 'i'), ''));
    if (state.dataset.state !== view.state) announcer.textContent = `${look.label}. ${first}`;
    state.dataset.state = view.state;
    badge.replaceChildren(
      icon(look.icon),
      h(
        'span',
        null,
        view.state === 'syncing' && view.percent !== null
          ? `${look.label} ${view.percent}%`
          : look.label,
      ),
    );
    headline.textContent = first;
    headline.title = first;
    detail.textContent = rest.join(' · ');
    meter.hidden = view.state !== 'syncing';
    if (view.percent === null) meter.removeAttribute('value');
    else meter.value = view.percent;
    // As the tray's "Back up now": only when Floe answers, is not paused and is not busy.
    backupButton.disabled = unreachable || !status || status.paused || live.progress !== null;
    pauseButton.disabled = unreachable || !status;
    pauseButton.replaceChildren(
      icon(status?.paused ? 'play' : 'pause'),
      status?.paused ? 'Resume' : 'Pause',
    );
    pauseButton.setAttribute(
      'aria-label',
      status?.paused ? 'Resume all backups' : 'Pause all backups',
    );
  };

  const refresh = async () => {
    try {
      status = await api.status();
      notify(status);
      unreachable = false;
      statusProblem = '';
    } catch (error) {
      // A 5xx still means Floe answered; only silence is "not running".
      unreachable = error instanceof ApiError && error.unreachable;
      statusProblem = unreachable ? '' : errorText(error);
    }
    if (stopped) return;
    draw();
    if (polling) clearTimeout(polling);
    polling = setTimeout(() => void refresh(), POLL_MS);
  };

  const togglePause = async () => {
    pauseButton.disabled = true;
    try {
      await api.setPaused(!(status?.paused ?? false));
      actionProblem = '';
    } catch (error) {
      actionProblem = errorText(error);
    }
    void refresh();
  };

  const backupNow = async () => {
    backupButton.disabled = true;
    try {
      await api.backupNow();
      actionProblem = '';
    } catch (error) {
      actionProblem = errorText(error);
    }
    void refresh();
  };

  const unsubscribe = [
    live.on('progress', draw),
    live.on('backup', () => void refresh()),
    live.on('idle', () => void refresh()),
    live.on('failure', () => void refresh()),
    live.on('renewal', () => void refresh()),
    live.on('folder-state', () => void refresh()),
    live.on('connection', () => void refresh()),
  ];
  draw();
  void refresh();
  return {
    element,
    stop() {
      stopped = true;
      if (polling) clearTimeout(polling);
      polling = null;
      for (const u of unsubscribe) u();
    },
  };
}
