import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEvents } from '../../main/engine-link.js';

test('server-sent events are split into events, comments skipped, the unfinished tail kept', () => {
  const stream =
    ': heartbeat\n\nevent: progress\ndata: {"bytesDone":1}\n\nevent: idle\ndata: {}\n\nevent: backup\nda';
  const { events, rest } = parseEvents(stream);
  assert.deepEqual(events, [
    { event: 'progress', data: '{"bytesDone":1}' },
    { event: 'idle', data: '{}' },
  ]);
  assert.equal(rest, 'event: backup\nda');
  const more = parseEvents(rest + 'ta: {"files":2}\n\n');
  assert.deepEqual(more.events, [{ event: 'backup', data: '{"files":2}' }]);
  assert.equal(more.rest, '');
  assert.deepEqual(parseEvents('data: a\ndata: b\n\n').events, [
    { event: 'message', data: 'a\nb' },
  ]);
});
