/** What every screen gets, and the shape of a screen. */
import type { Api } from '../api.js';
import type { Live } from '../live.js';
import type { RestoreTracker } from '../restores.js';

export interface ScreenContext {
  api: Api;
  live: Live;
  restores: RestoreTracker;
  /** Goes to a path inside the app (e.g. `/snapshots/ID?path=docs`), as a link would. */
  navigate(to: string): void;
}

/**
 * Draws itself into `pane` for the page at `url`, and keeps it up to date; returns what
 * to undo (subscriptions, timers) when the user leaves.
 */
export type Screen = (pane: HTMLElement, ctx: ScreenContext, url: URL) => (() => void) | void;
