/**
 * "Cleaning up old snapshots": what automatic retention (core/sync/retention-schedule.ts)
 * would forget next, under the retention settings, before it ever does — and, until the
 * user has approved it once, the button that does. Shown above the snapshot list.
 */
import type { Api } from './api.js';
import { h } from './dom.js';
import { formatBytes, formatCount, formatDateTime, relativeTime } from './format.js';
import { icon } from './icons.js';
import { failed, inlineError, loading } from './placeholders.js';
import type { RetentionView } from './wire.js';

export function retentionCard(api: Api, changed: () => void): HTMLElement {
  const card = h(
    'section',
    { class: 'card retention-card', 'aria-labelledby': 'retention-title' },
    loading('Looking at old snapshots…'),
  );
  const title = () => h('h2', { id: 'retention-title' }, 'Cleaning up old snapshots');

  const draw = (r: RetentionView) => {
    const gone = r.plan.forgotten;
    const when = r.approved
      ? r.nextRunAt
        ? `Floe applies your retention settings by itself, after backups, once a day (next after ${formatDateTime(r.nextRunAt)}).`
        : 'Floe applies your retention settings by itself after the next backup.'
      : 'Floe has not deleted anything yet: it waits for you to approve the first clean-up, then does it by itself once a day.';
    const apply = h(
      'button',
      {
        type: 'button',
        class: r.approved ? 'button button-small' : 'button button-small button-primary',
        on: {
          click: async () => {
            apply.disabled = true;
            try {
              await api.runRetention(true);
              changed();
              await load();
            } catch (error) {
              card.append(inlineError(error));
              apply.disabled = false;
            }
          },
        },
      },
      icon('check'),
      r.approved ? 'Clean up now' : 'Approve and clean up',
    );
    card.replaceChildren(
      title(),
      h('p', { class: 'hint' }, when),
      gone.length
        ? h(
            'div',
            null,
            h(
              'p',
              null,
              `The next clean-up forgets ${formatCount(gone.length)} snapshot${gone.length === 1 ? '' : 's'} beyond your retention settings and frees ${formatBytes(r.plan.reclaimableBytes)} no kept snapshot needs:`,
            ),
            h(
              'ul',
              { class: 'retention-plan' },
              gone.map((f) =>
                h(
                  'li',
                  { 'data-snapshot': f.id },
                  h('time', { datetime: f.time }, formatDateTime(f.time)),
                  ` (${relativeTime(Date.parse(f.time))})`,
                ),
              ),
            ),
            apply,
          )
        : h(
            'p',
            { class: 'quiet' },
            `Nothing to forget: every snapshot is kept by your retention settings (${formatCount(r.plan.kept.length)} kept).`,
          ),
    );
  };

  const load = async () => {
    try {
      draw(await api.retention());
    } catch (error) {
      card.replaceChildren(
        title(),
        failed('The clean-up plan could not be read', error, () => void load()),
      );
    }
  };
  void load();
  return card;
}
