/** Reading a call's fields: each one checked, and refused with a message that names it. */
import { refuse } from './errors.js';

export function base64Bytes(text: unknown, what: string): Buffer {
  if (typeof text !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw refuse.invalid(`${what} must be base64`);
  return Buffer.from(text, 'base64');
}

export function hexBytes(hex: string, length: number, what: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!new RegExp(`^[0-9a-f]{${length * 2}}$`).test(clean))
    throw refuse.invalid(`${what} must be ${length} bytes of hex`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}

export function positive(amount: string): bigint {
  if (!/^[0-9]+$/.test(amount ?? '') || BigInt(amount) === 0n)
    throw refuse.invalid(`amount "${amount}" must be a positive integer`);
  return BigInt(amount);
}

export function attributeText(v: unknown): string {
  if (typeof v !== 'string' || v.length > 1024)
    throw refuse.invalid('attribute keys and values are strings of at most 1024 characters');
  return v;
}

export function suiAddress(text: string): string {
  if (!/^0x[0-9a-f]{64}$/.test(text)) throw refuse.invalid(`"${text}" is not a Sui address`);
  return text;
}
