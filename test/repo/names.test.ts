import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MalformedNameError, nameToText, textToName } from '../../core/repo/names.js';

const bytes = (s: string, enc: BufferEncoding = 'utf8') => new Uint8Array(Buffer.from(s, enc));

test('a UTF-8 name without % is its own text form', () => {
  for (const name of ['notes.txt', 'Grüße', '日本語.md', 'emoji 🧊.png', 'a b\tc']) {
    assert.equal(nameToText(bytes(name)), name);
    assert.deepEqual(textToName(name), bytes(name));
  }
});

test('bytes that are not UTF-8 become %XX, and % itself %25', () => {
  assert.equal(nameToText(bytes('caf\xe9.txt', 'latin1')), 'caf%E9.txt');
  assert.equal(nameToText(bytes('100%.txt')), '100%25.txt');
  assert.equal(nameToText(new Uint8Array([0xff, 0xfe])), '%FF%FE');
  // Overlong, surrogate and truncated sequences are not UTF-8 either.
  assert.equal(nameToText(new Uint8Array([0xc0, 0xaf])), '%C0%AF');
  assert.equal(nameToText(new Uint8Array([0xed, 0xa0, 0x80])), '%ED%A0%80');
  assert.equal(nameToText(new Uint8Array([0x61, 0xe2, 0x82])), 'a%E2%82');
});

test('every byte string comes back byte for byte', () => {
  for (let i = 0; i < 2000; i++) {
    const name = new Uint8Array(randomBytes(1 + (i % 24)));
    assert.deepEqual(textToName(nameToText(name)), name);
  }
});

test('text with a % not followed by two hex digits is refused', () => {
  for (const text of ['50%', '%zz', 'a%4'])
    assert.throws(() => textToName(text), MalformedNameError);
});
