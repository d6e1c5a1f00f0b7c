/**
 * What a pane shows when it has nothing ordinary to show: still loading, nothing there
 * yet, or a failure with the way out. A pane is never left blank.
 */
import { ApiError } from './api.js';
import { h } from './dom.js';
import { icon, type IconName } from './icons.js';

export function loading(what: string): HTMLElement {
  return h(
    'div',
    { class: 'placeholder loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('p', null, what),
  );
}

export function empty(name: IconName, title: string, text: string): HTMLElement {
  return h(
    'div',
    { class: 'placeholder empty' },
    h('div', { class: 'placeholder-icon' }, icon(name)),
    h('h2', null, title),
    h('p', null, text),
  );
}

export function failed(title: string, error: unknown, retry?: () => void): HTMLElement {
  return h(
    'div',
    { class: 'placeholder failed', role: 'alert' },
    h('div', { class: 'placeholder-icon' }, icon(isOffline(error) ? 'cloud' : 'alert')),
    h('h2', null, title),
    h('p', null, errorText(error)),
    retry
      ? h(
          'button',
          { type: 'button', class: 'button', on: { click: retry } },
          icon('refresh'),
          'Try again',
        )
      : null,
  );
}

/** An inline error under a form or a control. */
export function inlineError(error: unknown): HTMLElement {
  return h(
    'p',
    { class: 'inline-error', role: 'alert' },
    icon('alert'),
    h('span', null, errorText(error)),
  );
}

export function errorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** Floe down, or the network behind it: worth a cloud rather than a warning sign. */
function isOffline(error: unknown): boolean {
  return error instanceof ApiError && (error.unreachable || error.status === 503);
}
