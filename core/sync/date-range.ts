/**
 * "Backed up between" bounds for searches: a day (`2024-05-03`, from its first moment to
 * its last, local time) or a moment (`2024-05-03T14:30`, `2024-05-03 14:30:00`, with or
 * without a zone such as `Z` or `+02:00`; without one it is local time, as restic reads
 * its --oldest/--newest).
 */

export class InvalidDateError extends Error {
  constructor(
    /** The option or query field at fault. */
    readonly field: string,
    /** What is wrong, worded to follow the field's name. */
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'InvalidDateError';
  }
}

function notADate(text: string, field: string): InvalidDateError {
  return new InvalidDateError(
    field,
    `("${text}") is not a date: write a day (2024-05-03) or a moment (2024-05-03T14:30, 2024-05-03 14:30:00+02:00)`,
  );
}

/** Snapshot times `t` with `fromMs <= t < untilMs` (either side open when null). */
export interface DateRange {
  fromMs: number | null;
  untilMs: number | null;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MOMENT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * `since` counts from the start of what it names; `until` up to and including the end of
 * it (the whole day, or that very moment).
 */
export function parseDateRange(
  since: string | undefined,
  until: string | undefined,
  fields: { since: string; until: string } = { since: 'since', until: 'until' },
): DateRange {
  const range: DateRange = {
    fromMs: since === undefined ? null : bound(since, fields.since).start,
    untilMs: until === undefined ? null : bound(until, fields.until).end,
  };
  if (range.fromMs !== null && range.untilMs !== null && range.fromMs >= range.untilMs)
    throw new InvalidDateError(
      fields.until,
      `(${until}) must come after ${fields.since} (${since})`,
    );
  return range;
}

export function inRange(range: DateRange, isoTime: string): boolean {
  const t = Date.parse(isoTime);
  return (
    (range.fromMs === null || t >= range.fromMs) && (range.untilMs === null || t < range.untilMs)
  );
}

function bound(text: string, field: string): { start: number; end: number } {
  const day = DAY.exec(text);
  if (day) {
    const [y, m, d] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
    const start = new Date(y, m, d);
    // Date rolls an impossible day over (Feb 30 → Mar 2): refuse it instead.
    if (start.getFullYear() !== y || start.getMonth() !== m || start.getDate() !== d)
      throw notADate(text, field);
    return { start: start.getTime(), end: new Date(y, m, d + 1).getTime() };
  }
  if (!MOMENT.test(text)) throw notADate(text, field);
  const t = Date.parse(text.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(t)) throw notADate(text, field);
  return { start: t, end: t + 1 };
}
