/**
 * The main process's view of the engine, through the same local API the window uses:
 * status polled, progress from the event stream, and the tray's actions.
 */
import type { FloeStatus } from '../core/sync/status.js';
import type { ProgressSnapshot } from '../core/sync/progress.js';

export type EngineStatus = FloeStatus & { paused: boolean };

/** Splits a server-sent-events text stream into events; keeps the unfinished tail. */
export function parseEvents(buffer: string): {
  events: { event: string; data: string }[];
  rest: string;
} {
  const events: { event: string; data: string }[] = [];
  const blocks = buffer.split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) continue; // a heartbeat or comment
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

export class EngineLink {
  progress: ProgressSnapshot | null = null;
  private readonly abort = new AbortController();

  constructor(
    readonly url: string,
    private readonly token: string,
  ) {}

  async status(): Promise<EngineStatus | null> {
    const r = await this.call('GET', '/api/status').catch(() => null);
    if (r?.status === 200) return (await r.json()) as EngineStatus;
    return null;
  }

  async settings(): Promise<{ startAtLogin: boolean } | null> {
    const r = await this.call('GET', '/api/settings').catch(() => null);
    return r?.status === 200 ? ((await r.json()) as { startAtLogin: boolean }) : null;
  }

  async act(action: 'backup' | 'pause' | 'resume'): Promise<void> {
    await this.call('POST', `/api/${action}`, {});
  }

  /** Follows the event stream until closed, reconnecting after a pause if it drops. */
  async follow(onChange: () => void): Promise<void> {
    while (!this.abort.signal.aborted) {
      try {
        const r = await fetch(`${this.url}/api/events?token=${encodeURIComponent(this.token)}`, {
          signal: this.abort.signal,
        });
        const reader = r.body!.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseEvents(buffer + value);
          buffer = parsed.rest;
          for (const e of parsed.events) {
            if (e.event === 'progress') this.progress = JSON.parse(e.data) as ProgressSnapshot;
            else if (e.event === 'backup' || e.event === 'idle' || e.event === 'failure')
              this.progress = null;
            onChange();
          }
        }
      } catch {
        // Dropped or refused: the status poll shows it; try again shortly.
      }
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }

  close(): void {
    this.abort.abort();
  }

  private call(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(this.url + path, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
  }
}
