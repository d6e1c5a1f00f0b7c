/** Line icons on a 24-unit grid, drawn here so the page loads nothing from elsewhere. */
import { svg } from './dom.js';

const PATHS = {
  folder: ['M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z'],
  activity: ['M3 12h4l3-8 4 16 3-8h4'],
  snapshots: ['M3.5 12a8.5 8.5 0 1 0 2.5-6', 'M3 3.5V8h4.5', 'M12 7.5V12l3 2'],
  storage: [
    'M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3z',
    'M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6',
    'M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3',
  ],
  settings: [
    'M4 6h9M17 6h3M4 12h3M11 12h9M4 18h11M19 18h1',
    'M15 4.2a1.8 1.8 0 1 1 0 3.6 1.8 1.8 0 0 1 0-3.6z',
    'M9 10.2a1.8 1.8 0 1 1 0 3.6 1.8 1.8 0 0 1 0-3.6z',
    'M17 16.2a1.8 1.8 0 1 1 0 3.6 1.8 1.8 0 0 1 0-3.6z',
  ],
  file: ['M6 3h8l4 4v14H6z', 'M14 3v4h4'],
  link: [
    'M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1',
    'M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1',
  ],
  pause: ['M9 6v12M15 6v12'],
  play: ['M8 5.5v13l10-6.5z'],
  trash: ['M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3'],
  restore: ['M12 4v11M7 10l5 5 5-5M5 20h14'],
  plus: ['M12 5v14M5 12h14'],
  refresh: ['M19.5 12a7.5 7.5 0 1 1-2.2-5.3', 'M20 4v5h-5'],
  alert: [
    'M10.3 3.9 2.4 18a2 2 0 0 0 1.7 3h15.8a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
    'M12 9v4.5M12 17v.5',
  ],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  cloud: ['M7 18a4.5 4.5 0 0 1-.6-9A6 6 0 0 1 18 8.5a4.75 4.75 0 0 1-.5 9.5z'],
  key: [
    'M14.5 3.5a6 6 0 1 1-5.2 9L4 17.8V21h3.2v-2h2v-2h2l1.4-1.4a6 6 0 1 1 1.9-12.1z',
    'M16 7.5h.01',
  ],
  chevron: ['M9 6l6 6-6 6'],
} as const;

export type IconName = keyof typeof PATHS;

export function icon(name: IconName): SVGSVGElement {
  return svg(
    'svg',
    { viewBox: '0 0 24 24', class: 'icon', 'aria-hidden': 'true', focusable: 'false' },
    PATHS[name].map((d) => svg('path', { d })),
  );
}

/** Floe's mark: an ice floe on the water line. */
export function logo(): SVGSVGElement {
  return svg(
    'svg',
    { viewBox: '0 0 32 32', class: 'logo', 'aria-hidden': 'true', focusable: 'false' },
    svg('path', { class: 'logo-floe', d: 'M3 17.5 7.5 12l6-1.5 5 1.5 5.5-1L29 17.5z' }),
    svg('path', {
      class: 'logo-water',
      d: 'M3 21c3 0 3-2 6.5-2s3.5 2 6.5 2 3-2 6.5-2 3.5 2 6.5 2',
    }),
    svg('path', {
      class: 'logo-water',
      d: 'M6 26c2.5 0 2.5-1.5 5-1.5s2.5 1.5 5 1.5 2.5-1.5 5-1.5 2.5 1.5 5 1.5',
    }),
  );
}
