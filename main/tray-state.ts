/**
 * The tray: one icon per overall state (core/sync/overall-state.ts decides the state, so
 * the tray and the window agree), a tooltip with the next expiry and the last renewal,
 * and the menu. A pure function, tested without Electron.
 */
import { overallState, type OverallInput, type OverallState } from '../core/sync/overall-state.js';

export type TrayIconState = OverallState;
export type TrayAction = 'open' | 'backup-now' | 'pause' | 'resume' | 'quit';

export interface TrayMenuItem {
  label: string;
  action?: TrayAction;
  enabled: boolean;
}

export interface TrayView {
  icon: TrayIconState;
  /** Whole percent while syncing with a known total. */
  percent: number | null;
  tooltip: string;
  menu: TrayMenuItem[];
}

export type TrayInput = OverallInput;

export function trayView(input: TrayInput): TrayView {
  const view = overallState(input);
  const reachable = !input.engineUnreachable && input.status !== null;
  const menu: TrayMenuItem[] = [
    { label: view.headline, enabled: false },
    ...view.details.map((label) => ({ label, enabled: false })),
    { label: 'Open Floe', action: 'open', enabled: true },
    {
      label: 'Back up now',
      action: 'backup-now',
      enabled: reachable && !input.paused && !input.progress,
    },
    input.paused
      ? { label: 'Resume', action: 'resume', enabled: reachable }
      : { label: 'Pause', action: 'pause', enabled: reachable },
    { label: 'Quit Floe', action: 'quit', enabled: true },
  ];
  return {
    icon: view.state,
    percent: view.percent,
    tooltip: [view.headline, ...view.details].join('\n'),
    menu,
  };
}
