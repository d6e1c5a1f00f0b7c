/**
 * What an upload relay charges, and how a client proves which upload it paid for — the
 * rules of Walrus's upload-relay API (`/v1/tip-config`, walrus-upload-relay `tip/`):
 * the tip is SUI sent to the relay's address in the transaction that registers the blob,
 * and that transaction's first input is the "auth package" — SHA-256 of the blob,
 * SHA-256 of a nonce only the client knows until it uploads, and the blob's length —
 * so the relay can tell the payment is for these very bytes and not replayed.
 */
import { createHash } from 'node:crypto';
import { EncodingConfig } from '../encoding/config.js';
import { equalBytes } from '../encoding/merkle.js';

export type TipKind = { const: bigint } | { linear: { base: bigint; perEncodedKiB: bigint } };

/** null: the relay is free. */
export type TipConfig = { address: string; kind: TipKind } | null;

export const AUTH_PAYLOAD_LENGTH = 72;

export class InvalidTipConfigError extends Error {
  constructor(reason: string) {
    super(`the upload relay's tip configuration is not understood: ${reason}`);
    this.name = 'InvalidTipConfigError';
  }
}

/** Reads the JSON of `GET /v1/tip-config`: `"no_tip"` or `{ send_tip: { address, kind } }`. */
export function parseTipConfig(json: unknown): TipConfig {
  if (json === 'no_tip') return null;
  const send = (json as { send_tip?: { address?: unknown; kind?: Record<string, unknown> } })
    ?.send_tip;
  if (!send || typeof send.address !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(send.address))
    throw new InvalidTipConfigError('expected "no_tip" or send_tip with a Sui address');
  const address = `0x${send.address.slice(2).toLowerCase().padStart(64, '0')}`;
  const kind = send.kind;
  if (kind && 'const' in kind) return { address, kind: { const: amount(kind.const, 'const') } };
  const linear = kind?.linear as Record<string, unknown> | undefined;
  if (linear) {
    return {
      address,
      kind: {
        linear: {
          base: amount(linear.base, 'base'),
          perEncodedKiB: amount(linear.encoded_size_mul_per_kib, 'encoded_size_mul_per_kib'),
        },
      },
    };
  }
  throw new InvalidTipConfigError('the tip kind is neither const nor linear');
}

/** The tip config as the relay serves it (the inverse of `parseTipConfig`). */
export function tipConfigJson(config: TipConfig): unknown {
  if (!config) return 'no_tip';
  const kind =
    'const' in config.kind
      ? { const: Number(config.kind.const) }
      : {
          linear: {
            base: Number(config.kind.linear.base),
            encoded_size_mul_per_kib: Number(config.kind.linear.perEncodedKiB),
          },
        };
  return { send_tip: { address: config.address, kind } };
}

/** MIST owed for a blob of `size` bytes on a network of `nShards` shards. */
export function tipAmount(config: TipConfig, size: number, nShards: number): bigint {
  if (!config) return 0n;
  if ('const' in config.kind) return config.kind.const;
  const encoded = BigInt(new EncodingConfig(nShards).encodedBlobLength(size));
  const { base, perEncodedKiB } = config.kind.linear;
  return base + ((encoded + 1023n) / 1024n) * perEncodedKiB;
}

/** BCS of (blob digest, nonce digest, u64 length): fixed arrays, so no length prefixes. */
export function authPayload(blob: Uint8Array, nonce: Uint8Array): Uint8Array {
  const out = new Uint8Array(AUTH_PAYLOAD_LENGTH);
  out.set(sha256(blob), 0);
  out.set(sha256(nonce), 32);
  new DataView(out.buffer).setBigUint64(64, BigInt(blob.length), true);
  return out;
}

/** Why `payload` does not commit to `blob` and `nonce`, or null when it does. */
export function authPayloadProblem(
  payload: Uint8Array,
  blob: Uint8Array,
  nonce: Uint8Array,
): string | null {
  if (payload.length !== AUTH_PAYLOAD_LENGTH) return 'the auth package is not 72 bytes';
  if (!equalBytes(payload.subarray(32, 64), sha256(nonce))) return 'the nonce does not match';
  const length = new DataView(payload.buffer, payload.byteOffset).getBigUint64(64, true);
  if (length !== BigInt(blob.length)) return 'the blob length does not match';
  if (!equalBytes(payload.subarray(0, 32), sha256(blob))) return 'the blob digest does not match';
  return null;
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function amount(value: unknown, field: string): bigint {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new InvalidTipConfigError(`${field} must be a non-negative integer`);
  return BigInt(value);
}
