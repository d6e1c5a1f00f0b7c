/**
 * The window once an account exists: navigation on the left, the status bar on top, and
 * one screen in the main pane. Screens have their own paths (/folders, /snapshots/ID…),
 * kept in the address with the History API, so Back, reload and links work; the server
 * answers every such path with index.html.
 */
import type { Api } from './api.js';
import { h } from './dom.js';
import { icon, logo, type IconName } from './icons.js';
import type { Live } from './live.js';
import type { RestoreTracker } from './restores.js';
import { activityScreen } from './screens/activity.js';
import { findScreen } from './screens/find.js';
import { foldersScreen } from './screens/folders.js';
import type { Screen, ScreenContext } from './screens/screen.js';
import { settingsScreen } from './screens/settings.js';
import { snapshotsScreen } from './screens/snapshots.js';
import { storageScreen } from './screens/storage.js';
import { statusBar } from './status-bar.js';

interface Section {
  path: string;
  title: string;
  /** The label where the navigation is a row of tabs (narrow windows). */
  short: string;
  icon: IconName;
  screen: Screen;
}

const SECTIONS: Section[] = [
  { path: '/folders', title: 'Folders', short: 'Folders', icon: 'folder', screen: foldersScreen },
  {
    path: '/activity',
    title: 'Activity',
    short: 'Activity',
    icon: 'activity',
    screen: activityScreen,
  },
  {
    path: '/snapshots',
    title: 'Snapshots',
    short: 'Snapshots',
    icon: 'snapshots',
    screen: snapshotsScreen,
  },
  { path: '/find', title: 'Find files', short: 'Find', icon: 'file', screen: findScreen },
  {
    path: '/storage',
    title: 'Storage & renewals',
    short: 'Storage',
    icon: 'storage',
    screen: storageScreen,
  },
  {
    path: '/settings',
    title: 'Settings',
    short: 'Settings',
    icon: 'settings',
    screen: settingsScreen,
  },
];

export function startApp(root: HTMLElement, api: Api, live: Live, restores: RestoreTracker): void {
  const pane = h('main', { class: 'pane', id: 'main' });
  const links = SECTIONS.map((s) =>
    h(
      'a',
      { href: s.path, class: 'nav-link', 'data-path': s.path },
      icon(s.icon),
      h('span', { class: 'label-full' }, s.title),
      h('span', { class: 'label-short' }, s.short),
    ),
  );
  const bar = statusBar(api, live);
  root.replaceChildren(
    h('a', { href: '#main', class: 'skip-link' }, 'Skip to content'),
    h(
      'div',
      { class: 'app' },
      h(
        'aside',
        { class: 'sidebar' },
        h(
          'div',
          { class: 'sidebar-inner' },
          h('div', { class: 'brand' }, logo(), h('span', null, 'Floe')),
          h(
            'nav',
            { 'aria-label': 'Main' },
            h(
              'ul',
              null,
              links.map((a) => h('li', null, a)),
            ),
          ),
        ),
      ),
      h('div', { class: 'main' }, bar.element, pane),
    ),
  );

  let leave: (() => void) | void;
  const show = (focus: boolean) => {
    const url = new URL(location.href);
    const section =
      SECTIONS.find((s) => url.pathname === s.path || url.pathname.startsWith(`${s.path}/`)) ??
      null;
    if (!section) {
      history.replaceState(null, '', SECTIONS[0]!.path);
      return show(focus);
    }
    leave?.();
    for (const a of links) {
      if (a.dataset.path === section.path) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${section.title} · Floe`;
    pane.replaceChildren();
    leave = section.screen(pane, ctx, url);
    // A new screen is a new page to a screen reader: move focus to its heading.
    if (focus) pane.querySelector<HTMLElement>('h1')?.focus();
  };

  const ctx: ScreenContext = {
    api,
    live,
    restores,
    navigate(to) {
      // The page already open is opened afresh, as a reader expects of clicking its link.
      if (to !== location.pathname + location.search) history.pushState(null, '', to);
      show(true);
    },
  };

  // Links inside the app navigate in place; modified clicks (new tab) are the browser's.
  root.addEventListener('click', (e) => {
    const a = (e.target as Element).closest('a');
    if (
      !a ||
      e.defaultPrevented ||
      e.button !== 0 ||
      e.metaKey ||
      e.ctrlKey ||
      e.shiftKey ||
      e.altKey
    )
      return;
    const href = a.getAttribute('href');
    if (!href?.startsWith('/')) return;
    e.preventDefault();
    ctx.navigate(href);
  });
  window.addEventListener('popstate', () => show(true));
  show(false);
}
