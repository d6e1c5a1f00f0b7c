/**
 * "Storage nodes", on the Storage screen: each node of today's committee with what the
 * chain says of it (shards, stake, storage challenges passed and failed in recent epochs)
 * and what Floe's own spot-checks found (its last answer, when it last answered right).
 * Redrawn after every spot-check.
 */
import type { Api } from './api.js';
import { h } from './dom.js';
import { formatCount, formatWal, relativeTime, shortId } from './format.js';
import type { Live } from './live.js';
import { failed, loading } from './placeholders.js';
import type { NodeHealth, NodeHealthView } from './wire.js';

const ANSWERS: Record<NonNullable<NodeHealth['lastCheck']>['verdict'], [string, string]> = {
  answered: ['Answered', 'badge-idle'],
  missing: ['Missing data', 'badge-missing'],
  corrupt: ['Sent damaged data', 'badge-failed'],
  unreachable: ['Did not answer', 'badge-failed'],
};

export function nodeHealthCard(api: Api, live: Live): { element: HTMLElement; stop: () => void } {
  const element = h(
    'section',
    { class: 'card node-health', 'aria-labelledby': 'nodes-title' },
    loading('Reading the storage nodes…'),
  );
  const title = () => h('h2', { id: 'nodes-title' }, 'Storage nodes');

  const draw = (v: NodeHealthView) => {
    const epochs = v.epoch - v.challengesSince + 1;
    element.replaceChildren(
      title(),
      h(
        'p',
        { class: 'quiet' },
        `The nodes that hold your data this epoch. Challenges: the network asks each node, every epoch, to prove it holds a random piece of a blob (the last ${epochs} epoch${epochs === 1 ? '' : 's'} counted). Last check: what the node answered when Floe last checked a sample (Proof, on a snapshot’s screen).`,
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table node-health-table' },
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              h('th', { scope: 'col' }, 'Node'),
              h('th', { scope: 'col', class: 'number' }, 'Shards'),
              h('th', { scope: 'col', class: 'number' }, 'Stake'),
              h('th', { scope: 'col' }, 'Challenges'),
              h('th', { scope: 'col' }, 'Last check'),
              h('th', { scope: 'col' }, 'Last answered right'),
            ),
          ),
          h('tbody', null, v.nodes.map(nodeRow)),
        ),
      ),
    );
  };

  const load = async () => {
    try {
      draw(await api.nodes());
    } catch (error) {
      element.replaceChildren(
        title(),
        failed('The storage nodes could not be read', error, () => void load()),
      );
    }
  };
  const unsubscribe = live.on('spot-check', () => void load());
  void load();
  return { element, stop: unsubscribe };
}

/** A storage node's name, and its id beneath when the name is not the id. */
export function nodeNameCell(n: { name: string; nodeId: string }): HTMLElement {
  return h(
    'td',
    null,
    n.name,
    n.nodeId === n.name ? null : h('span', { class: 'cell-sub' }, shortId(n.nodeId)),
  );
}

function nodeRow(n: NodeHealth): HTMLElement {
  const c = n.challenges;
  const answer = n.lastCheck ? ANSWERS[n.lastCheck.verdict] : null;
  return h(
    'tr',
    { 'data-node': n.name },
    nodeNameCell(n),
    h('td', { class: 'number' }, formatCount(n.shards)),
    h('td', { class: 'number', title: formatWal(n.stake, true) }, formatWal(n.stake)),
    h(
      'td',
      null,
      c === null
        ? h('span', { class: 'quiet' }, 'not recorded on this chain')
        : [
            `${formatCount(c.passed)} passed`,
            c.failed
              ? h('span', { class: 'badge badge-failed' }, `${formatCount(c.failed)} failed`)
              : null,
            c.open
              ? h('span', { class: 'cell-sub' }, `${formatCount(c.open)} waiting for an answer`)
              : null,
          ],
    ),
    h(
      'td',
      null,
      answer && n.lastCheck
        ? [
            h('span', { class: `badge ${answer[1]}` }, answer[0]),
            h(
              'span',
              { class: 'cell-sub' },
              `${relativeTime(n.lastCheck.time)}, ${formatCount(n.lastCheck.ok)} of ${formatCount(n.lastCheck.asked)} pieces right`,
            ),
          ]
        : h('span', { class: 'quiet' }, 'not checked yet'),
    ),
    h('td', null, n.lastSeen === null ? '—' : relativeTime(n.lastSeen)),
  );
}
