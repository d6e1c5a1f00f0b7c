/**
 * Server-sent event streams: each open `GET /api/events` is a response kept open, to
 * which every event is written as `event: NAME` + one line of JSON. A comment line goes
 * out every `heartbeatMs` so idle streams are not cut by anything that times out quiet
 * connections, and so a client that vanished is noticed at the next write.
 */
import type { ServerResponse } from 'node:http';
import { BASE_HEADERS, toJson } from './http.js';

export const HEARTBEAT_MS = 15_000;

export class EventStreams {
  private readonly clients = new Set<ServerResponse>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = HEARTBEAT_MS) {
    this.heartbeat = setInterval(() => this.write(': heartbeat\n\n'), heartbeatMs);
    this.heartbeat.unref();
  }

  open(res: ServerResponse): void {
    res.writeHead(200, {
      ...BASE_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
    });
    // Sent at once so the client's `open` fires now rather than with the first event.
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  /** JSON.stringify never emits a raw newline, so one `data:` line carries the whole event. */
  send(event: string, data: unknown): void {
    this.write(`event: ${event}\ndata: ${toJson(data)}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(frame: string): void {
    for (const res of this.clients) res.write(frame);
  }
}
