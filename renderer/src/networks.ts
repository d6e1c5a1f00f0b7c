/**
 * The networks Floe can keep backups on, named as the user sees them — onboarding's
 * choice, the settings screen and the status bar all say it the same way.
 */
import { h } from './dom.js';
import type { Settings } from './wire.js';

export type NetworkName = Settings['network'];

export const NETWORKS: { value: NetworkName; label: string; note: string }[] = [
  {
    value: 'localnet',
    label: 'Local test network on this computer',
    note: 'A Walrus network Floe runs here, for trying Floe out: nothing leaves this computer, and the backups are only as safe as it is.',
  },
  {
    value: 'testnet',
    label: 'Walrus testnet',
    note: 'The public test network. Free test WAL; data may be wiped.',
  },
  { value: 'mainnet', label: 'Walrus mainnet', note: 'The real network. Storage is paid in WAL.' },
];

export function networkLabel(name: string): string {
  return NETWORKS.find((n) => n.value === name)?.label ?? name;
}

/** One radio card per network, `initial` checked; `value()` is the one checked now. */
export function networkCards(initial: string): {
  element: HTMLElement;
  radios: HTMLInputElement[];
  value(): NetworkName;
} {
  const radios = NETWORKS.map((n) =>
    h('input', {
      type: 'radio',
      name: 'network',
      id: `network-${n.value}`,
      value: n.value,
      checked: initial === n.value,
    }),
  );
  const element = h(
    'div',
    { class: 'radio-cards' },
    NETWORKS.map((n, i) =>
      h(
        'label',
        { class: 'radio-card', for: `network-${n.value}` },
        radios[i]!,
        h('strong', null, n.label),
        h('span', null, n.note),
      ),
    ),
  );
  const value = () => (radios.find((r) => r.checked)?.value ?? initial) as NetworkName;
  return { element, radios, value };
}
