/**
 * Settings → Spot-checks: how often Floe checks by itself that the storage nodes still
 * hold your data, how big a sample, and how close to unrecoverable is worth a warning
 * (core/sync/spot-check-schedule.ts). A group of the settings form, read with it.
 */
import { h } from './dom.js';
import type { Settings } from './wire.js';

export function spotCheckSettings(initial: Settings['spotCheck']): {
  element: HTMLElement;
  read(): Settings['spotCheck'];
} {
  const input = (id: string, value: number, min: number) =>
    h('input', { type: 'number', id, inputmode: 'numeric', min, step: 1, value });
  const every = input('spot-check-hours', initial.intervalHours, 0);
  const sample = input('spot-check-sample', initial.samplePercent, 1);
  const margin = input('spot-check-margin', initial.warnMarginNodes, 0);
  const field = (name: string, label: string, box: HTMLInputElement, hint: string) =>
    h(
      'div',
      { class: 'field', 'data-field': `spotCheck.${name}` },
      h('label', { for: box.id }, label),
      box,
      h('span', { class: 'hint' }, hint),
    );
  const element = h(
    'fieldset',
    { class: 'settings-group', 'data-field': 'spotCheck' },
    h('legend', null, 'Spot-checks'),
    h(
      'p',
      { class: 'hint' },
      'Floe asks every storage node for a random sample of the pieces it should hold, and checks each against your data’s fingerprints recorded on chain.',
    ),
    field('intervalHours', 'Check every (hours)', every, '0: only when you click “Check now”.'),
    field(
      'samplePercent',
      'Sample (%)',
      sample,
      'Of each node’s pieces; 1 % reads about 5 % of your data’s size.',
    ),
    field(
      'warnMarginNodes',
      'Warn when fewer than this many more nodes could fail',
      margin,
      'The tray and the status bar warn before your data gets close to unrecoverable.',
    ),
  );
  const value = (box: HTMLInputElement) => (box.value === '' ? null : Number(box.value)) as number;
  return {
    element,
    read: () => ({
      intervalHours: value(every),
      samplePercent: value(sample),
      warnMarginNodes: value(margin),
    }),
  };
}
