/**
 * File names are raw bytes in any encoding; JSON and URLs want text. A name's text form is
 * its UTF-8 with two escapes: each byte that is not part of valid UTF-8 becomes `%XX`, and
 * `%` itself becomes `%25`. Every name thus has exactly one text form and comes back byte
 * for byte, and the same form addresses a path in `?path=` and in a restore request.
 */

/** Raised for text that is not a well-formed name (a `%` not followed by two hex digits). */
export class MalformedNameError extends Error {
  constructor(text: string) {
    super(`"${text}" has a % that is not followed by two hex digits (write % itself as %25)`);
    this.name = 'MalformedNameError';
  }
}

export function nameToText(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const n = utf8SequenceLength(buf, i);
    if (n === 0) {
      out += `%${buf[i]!.toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
      continue;
    }
    const text = buf.toString('utf8', i, i + n);
    out += text === '%' ? '%25' : text;
    i += n;
  }
  return out;
}

export function textToName(text: string): Uint8Array {
  const parts: Buffer[] = [];
  let plain = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '%') {
      plain += text[i];
      continue;
    }
    const hex = text.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new MalformedNameError(text);
    parts.push(Buffer.from(plain, 'utf8'), Buffer.from([parseInt(hex, 16)]));
    plain = '';
    i += 2;
  }
  parts.push(Buffer.from(plain, 'utf8'));
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Length of the well-formed UTF-8 sequence starting at `i`, or 0 if the byte there does
 * not start one (the ranges are Unicode's Table 3-7: no overlongs, no surrogates, nothing
 * past U+10FFFF).
 */
function utf8SequenceLength(buf: Buffer, i: number): number {
  const b = buf[i]!;
  if (b < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const c = buf[i + k];
    return c !== undefined && c >= lo && c <= hi;
  };
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** A path below a folder in text form: its names' text forms joined by '/'. */
export function pathToText(names: Uint8Array[]): string {
  return names.map(nameToText).join('/');
}

/** Raised for a path that climbs ('.' or '..') instead of naming entries. */
export class RelativePathError extends Error {
  constructor(part: string) {
    super(`a path names entries of the snapshot, not "${part}"`);
    this.name = 'RelativePathError';
  }
}

/** The names of a '/'-separated path in text form ('' is the folder itself). */
export function textToPath(text: string): Uint8Array[] {
  return text
    .split('/')
    .filter(Boolean)
    .map((part) => {
      if (part === '.' || part === '..') throw new RelativePathError(part);
      return textToName(part);
    });
}
