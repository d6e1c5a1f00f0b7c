/**
 * Every field of every call, checked before the ledger touches its store: addresses and
 * object ids as Sui writes them, amounts as positive u64 decimal strings, epochs as u32,
 * sizes as whole numbers, bytes as base64 or hex of the right length, strings bounded, and
 * no field the call does not have. A malformed call is refused as InvalidArgument with the
 * field's name; what depends on the ledger's state (does the object exist, is the epoch in
 * range) is the modules' to check.
 */
import { blobIdFromString } from '../../walrus/encoding/blob-id.js';
import { MAX_SYMBOL_SIZE } from '../../walrus/encoding/config.js';
import { refuse } from './errors.js';
import type { Call, CallKind, TransactionBody } from './wire.js';

type Check<T> = (value: unknown, name: string) => T;

const U64_MAX = 2n ** 64n - 1n;
const U32_MAX = 2 ** 32 - 1;
const MAX_TEXT = 1024;
const MAX_ATTRIBUTES = 64;
/** A Merkle path over at most 65 535 leaves has 16 steps; anything near 32 is not one. */
const MAX_PROOF = 32;

function bad(name: string, expected: string, value: unknown): never {
  throw refuse.invalid(`${name} must be ${expected}, not ${shown(value)}`);
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} characters)` : text;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function text(pattern: RegExp, expected: string, max = MAX_TEXT): Check<string> {
  return (v, name) =>
    typeof v === 'string' && v.length <= max && pattern.test(v) ? v : bad(name, expected, v);
}

/** Sui addresses and object ids: 0x and 64 lower-case hex digits, as Sui normalises them. */
export const suiAddress = text(
  /^0x[0-9a-f]{64}$/,
  'a Sui address (0x and 64 lower-case hex digits)',
);
const objectId = text(/^0x[0-9a-f]{64}$/, 'an object id (0x and 64 lower-case hex digits)');
const nodeId = text(/^[A-Za-z0-9_.-]{1,66}$/, 'a node id');
const challengeId = text(/^[A-Za-z0-9_.-]{1,128}$/, 'a challenge id');
const hex32 = text(/^[0-9a-f]{64}$/, '32 bytes of lower-case hex');
const url = text(/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/, 'an http(s) URL', 2048);

/** FROST or MIST: a decimal string of a positive integer that fits Move's u64. */
export const amount: Check<bigint> = (v, name) => {
  if (typeof v !== 'string' || !/^[1-9][0-9]{0,19}$/.test(v) || BigInt(v) > U64_MAX)
    return bad(name, 'a decimal string of a positive integer below 2^64', v);
  return BigInt(v);
};

/** A u64 as a decimal string, zero allowed: prices, capacities, payments. */
const u64Text: Check<string> = (v, name) => {
  if (typeof v !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(v) || BigInt(v) > U64_MAX)
    return bad(name, 'a decimal string of a whole number below 2^64', v);
  return v;
};

function integer(min: number, max: number, expected: string): Check<number> {
  return (v, name) =>
    typeof v === 'number' && Number.isSafeInteger(v) && v >= min && v <= max
      ? v
      : bad(name, expected, v);
}
const u8 = integer(0, 255, 'an integer from 0 to 255');
const epoch = integer(0, U32_MAX, 'an epoch number (a u32)');
const epochs = integer(1, U32_MAX, 'a whole number of epochs, at least 1');
/** Byte counts: whole, not negative, exact in a double. */
export const size = integer(0, Number.MAX_SAFE_INTEGER, 'a whole number of bytes');
const nonce = integer(0, Number.MAX_SAFE_INTEGER, 'a whole number, at least 0');

const bool: Check<boolean> = (v, name) =>
  typeof v === 'boolean' ? v : bad(name, 'true or false', v);

function base64(minBytes: number, maxBytes: number): Check<string> {
  const expected =
    minBytes === maxBytes
      ? `base64 of ${minBytes} bytes`
      : `base64 of ${minBytes} to ${maxBytes} bytes`;
  return (v, name) => {
    if (
      typeof v !== 'string' ||
      v.length > Math.ceil(maxBytes / 3) * 4 ||
      !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(v)
    )
      return bad(name, expected, v);
    const length = Buffer.from(v, 'base64').length;
    return length >= minBytes && length <= maxBytes ? v : bad(name, expected, v);
  };
}

export const blobIdText: Check<string> = (v, name) => {
  if (typeof v !== 'string') return bad(name, 'a blob id (43 characters of URL-safe base64)', v);
  try {
    blobIdFromString(v);
    return v;
  } catch {
    return bad(name, 'a blob id (43 characters of URL-safe base64)', v);
  }
};

/** Attribute keys are printable and not empty; values are any text up to the bound. */
const attributeKey = text(/^[^\u0000-\u001f\u007f]+$/, `text of 1 to ${MAX_TEXT} characters`);
const attributeValue = text(/^[^\u0000-\u001f\u007f]*$/, `text of at most ${MAX_TEXT} characters`);

const attributes: Check<Record<string, string>> = (v, name) => {
  if (!isRecord(v) || Object.keys(v).length > MAX_ATTRIBUTES)
    return bad(name, `a map of at most ${MAX_ATTRIBUTES} text keys to text values`, v);
  for (const [key, value] of Object.entries(v)) {
    attributeKey(key, `${name} key`);
    attributeValue(value, `${name}[${shown(key)}]`);
  }
  return v as Record<string, string>;
};

function list<T>(item: Check<T>, max: number, distinct = false): Check<T[]> {
  return (v, name) => {
    if (!Array.isArray(v) || v.length > max) return bad(name, `a list of at most ${max}`, v);
    const items = v.map((x, i) => item(x, `${name}[${i}]`));
    if (distinct && new Set(items).size !== items.length) return bad(name, 'distinct', v);
    return items;
  };
}

function optional<T>(check: Check<T>): Check<T | undefined> {
  return (v, name) => (v === undefined ? undefined : check(v, name));
}

function record<T>(fields: Record<string, Check<unknown>>): Check<T> {
  return (v, name) => {
    if (!isRecord(v)) return bad(name, 'an object', v);
    for (const key of Object.keys(v))
      if (!(key in fields))
        throw refuse.invalid(`${name} has no field "${shown(key).slice(1, -1)}"`);
    for (const [key, check] of Object.entries(fields)) check(v[key], `${name}.${key}`);
    return v as T;
  };
}

const CALLS: { [K in CallKind]: Record<string, Check<unknown>> } = {
  transfer_wal: { to: suiAddress, amount },
  register_blob: {
    blobId: blobIdText,
    rootHash: hex32,
    size,
    encodingType: u8,
    epochs,
    deletable: bool,
    attributes: optional(attributes),
    storageId: optional(objectId),
    tip: optional(record({ to: suiAddress, amount })),
    payment: optional(u64Text),
  },
  certify_blob: {
    objectId,
    signature: base64(96, 96),
    signers: list(integer(0, 0xffff, 'a committee index'), 0xffff, true),
    message: base64(1, 1024),
  },
  extend_blob: { objectId, epochs, payment: optional(u64Text) },
  delete_blob: { objectId },
  transfer_blob: { objectId, to: suiAddress },
  set_attributes: { objectId, attributes },
  remove_attribute: { objectId, key: attributeKey },
  split_storage_by_epoch: { storageId: objectId, epoch },
  split_storage_by_size: { storageId: objectId, size },
  merge_storage: { storageId: objectId, otherId: objectId },
  stake: { nodeId, amount },
  withdraw_stake: { stakeId: objectId },
  set_node_url: { nodeId, url },
  set_storage_price_vote: { nodeId, price: u64Text },
  set_write_price_vote: { nodeId, price: u64Text },
  set_node_capacity_vote: { nodeId, capacity: u64Text },
  epoch_sync_done: { nodeId, epoch },
  answer_challenge: {
    challengeId,
    primaryHash: hex32,
    secondaryHash: hex32,
    pairProof: list(hex32, MAX_PROOF),
    symbol: base64(1, MAX_SYMBOL_SIZE),
    symbolProof: list(hex32, MAX_PROOF),
  },
};

export function parseCall(v: unknown): Call {
  if (!isRecord(v) || typeof v.kind !== 'string') return bad('call', 'an object with a "kind"', v);
  const fields = Object.hasOwn(CALLS, v.kind) ? CALLS[v.kind as CallKind] : undefined;
  if (!fields) throw refuse.invalid(`unknown call "${shown(v.kind).slice(1, -1)}"`);
  return record<Call>({ kind: () => v.kind, ...fields })(v, v.kind);
}

/** A transaction body: sender, nonce, one call and an optional auth payload, nothing else. */
export function parseTransactionBody(v: unknown): TransactionBody {
  if (!isRecord(v)) return bad('the transaction body', 'an object', v);
  record<TransactionBody>({
    sender: suiAddress,
    nonce,
    call: () => undefined,
    authPayload: optional(base64(0, 4096)),
  })(v, 'transaction');
  return { ...(v as unknown as TransactionBody), call: parseCall(v.call) };
}

/** A whole-number query parameter, or `fallback` when it is absent. */
export function queryNumber(
  q: URLSearchParams,
  key: string,
  check: Check<number>,
  fallback?: number,
): number {
  const raw = q.get(key);
  if (raw === null) return fallback ?? bad(key, 'given', undefined);
  return /^[0-9]{1,16}$/.test(raw) ? check(Number(raw), key) : bad(key, 'a whole number', raw);
}

export const queryChecks = { size, epochs, epoch, cursor: nonce };

/** Hex of `length` bytes (with or without 0x), as bytes. */
export function hexBytes(hex: string, length: number, what: string): Uint8Array {
  const clean = hex.startsWith('0x') ? hex.slice(2) : hex;
  if (!new RegExp(`^[0-9a-f]{${length * 2}}$`).test(clean))
    throw refuse.invalid(`${what} must be ${length} bytes of hex`);
  return new Uint8Array(Buffer.from(clean, 'hex'));
}
