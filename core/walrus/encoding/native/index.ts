/**
 * The native RS2 encoder: C++ in this folder, built by node-gyp when `npm install` runs
 * (`build/Release/floe_rs2.node`). It returns exactly what walrus-wasm's `encodeBlob`
 * returns — the test suite compares every sliver byte and blob id — about 10× faster per
 * core (see README.md here), in the memory of the blob and its slivers rather than 13×
 * the blob.
 *
 * Loading is optional: without a compiler at install time, or on a CPU or platform the
 * build did not cover, `loadNativeEncoder()` returns null and encoding stays on wasm.
 */
import { encodedSliverLength } from '../bcs.js';
import type { EncodedBlob, SliverBuffers } from '../codec.js';
import { BlobTooLargeError, DIGEST_LENGTH, EncodingConfig, RS2_ENCODING_TYPE } from '../config.js';
import { loadNativeAddon, OUT_OF_DATE } from './load.js';

/** Instruction sets the encoder has kernels for, best first on each architecture. */
export type SimdLevel = 'avx512' | 'avx2' | 'ssse3' | 'neon' | 'scalar';

export interface NativeEncoder {
  /** The instruction set this encoder runs on. */
  readonly simd: SimdLevel;
  /**
   * Encodes on the calling thread: meant for the codec worker threads. `into`: buffers of
   * the exact sliver lengths to write the slivers into, instead of new ones.
   */
  encode(nShards: number, data: Uint8Array, into?: SliverBuffers): EncodedBlob;
  /**
   * Encodes on libuv's thread pool, for callers on the main thread. `data` (and `into`)
   * must not be modified or transferred until the promise settles: the encoder works in
   * them in place.
   */
  encodeAsync(nShards: number, data: Uint8Array, into?: SliverBuffers): Promise<EncodedBlob>;
  /**
   * The Merkle root over a sliver's n expanded symbols (its `sourceCount` symbols, then
   * their repair symbols): what the metadata holds for it. On the calling thread.
   */
  sliverRoot(
    nShards: number,
    sourceCount: number,
    symbolSize: number,
    symbols: Uint8Array,
  ): Uint8Array;
}

export type NativeEncoderProbe =
  { encoder: NativeEncoder; reason: null } | { encoder: null; reason: string };

export interface NativeEncoderOptions {
  /** Use this instruction set instead of the best one (tests and benchmarks). */
  simd?: SimdLevel;
}

/** The buffers the addon fills: every byte of them, so they need not be zeroed first. */
interface EncoderOutput {
  primary: Uint8Array[];
  secondary: Uint8Array[];
  /** n × 64 bytes: each sliver pair's primary then secondary Merkle root. */
  pairHashes: Uint8Array;
  rootHash: Uint8Array;
  blobId: Uint8Array;
}

interface Addon {
  encode(nShards: number, data: Uint8Array, simd: SimdLevel, out: EncoderOutput): void;
  encodeAsync(
    nShards: number,
    data: Uint8Array,
    simd: SimdLevel,
    out: EncoderOutput,
  ): Promise<void>;
  sliverRoot(
    nShards: number,
    sourceCount: number,
    symbolSize: number,
    symbols: Uint8Array,
    simd: SimdLevel,
  ): Uint8Array;
  simdLevels(): SimdLevel[];
}

/** Set to `off` to keep encoding on walrus-wasm even when the addon is built. */
const DISABLE_VARIABLE = 'FLOE_NATIVE_CODEC';

/**
 * Output buffers for one blob after the same checks and errors as walrus-wasm's
 * `encodeBlob`. Slivers are not zero-filled (the encoder writes all of them: zeroing
 * them first cost about a fifth of the encoding time) and each has its own ArrayBuffer,
 * so a worker can transfer them.
 */
function allocateOutput(
  nShards: number,
  data: Uint8Array,
  into: SliverBuffers | undefined,
): EncoderOutput {
  const config = new EncodingConfig(nShards);
  if (data.length > config.maxBlobSize)
    throw new BlobTooLargeError(data.length, config.maxBlobSize, nShards);
  const sliver = (length: number) => new Uint8Array(Buffer.allocUnsafeSlow(length).buffer);
  const primarySize = encodedSliverLength(config.primarySliverSize(data.length));
  const secondarySize = encodedSliverLength(config.secondarySliverSize(data.length));
  return {
    // The addon checks the lengths of buffers given.
    primary: into?.primary ?? Array.from({ length: nShards }, () => sliver(primarySize)),
    secondary: into?.secondary ?? Array.from({ length: nShards }, () => sliver(secondarySize)),
    pairHashes: new Uint8Array(nShards * 2 * DIGEST_LENGTH),
    rootHash: new Uint8Array(DIGEST_LENGTH),
    blobId: new Uint8Array(DIGEST_LENGTH),
  };
}

function toEncodedBlob(raw: EncoderOutput, unencodedLength: number): EncodedBlob {
  const hashes = raw.primary.map((_, i) => ({
    primary: raw.pairHashes.slice(2 * i * DIGEST_LENGTH, (2 * i + 1) * DIGEST_LENGTH),
    secondary: raw.pairHashes.slice((2 * i + 1) * DIGEST_LENGTH, (2 * i + 2) * DIGEST_LENGTH),
  }));
  return {
    blobId: raw.blobId,
    rootHash: raw.rootHash,
    metadata: { encodingType: RS2_ENCODING_TYPE, unencodedLength, hashes },
    unencodedLength,
    primary: raw.primary,
    secondary: raw.secondary,
  };
}

export function probeNativeEncoder(options: NativeEncoderOptions = {}): NativeEncoderProbe {
  if (process.env[DISABLE_VARIABLE] === 'off') {
    return { encoder: null, reason: `disabled by ${DISABLE_VARIABLE}=off` };
  }
  const loaded = loadNativeAddon();
  if ('error' in loaded) return { encoder: null, reason: loaded.error };
  const native = loaded.module as unknown as Addon;
  // A build from an older checkout lacks newer entry points: use wasm until it is rebuilt.
  if (typeof native.sliverRoot !== 'function') return { encoder: null, reason: OUT_OF_DATE };
  const levels = native.simdLevels();
  const simd = options.simd ?? levels[0]!;
  if (!levels.includes(simd)) {
    return { encoder: null, reason: `this CPU has no ${simd}; it has ${levels.join(', ')}` };
  }
  return {
    reason: null,
    encoder: {
      simd,
      encode(nShards, data, into) {
        const out = allocateOutput(nShards, data, into);
        native.encode(nShards, data, simd, out);
        return toEncodedBlob(out, data.length);
      },
      async encodeAsync(nShards, data, into) {
        const out = allocateOutput(nShards, data, into);
        await native.encodeAsync(nShards, data, simd, out);
        return toEncodedBlob(out, data.length);
      },
      sliverRoot(nShards, sourceCount, symbolSize, symbols) {
        return native.sliverRoot(nShards, sourceCount, symbolSize, symbols, simd);
      },
    },
  };
}

/** The native encoder, or null when it is not built or cannot load here (then use wasm). */
export function loadNativeEncoder(options: NativeEncoderOptions = {}): NativeEncoder | null {
  return probeNativeEncoder(options).encoder;
}
