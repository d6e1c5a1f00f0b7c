/**
 * The native gear-hash cutter (gear_cutter.h, in Floe's native addon): the same cut points
 * as the TypeScript cutter in ../chunker.ts — which stays the specification, the test
 * oracle and the fallback — at memory speed instead of ≈ 50–300 MB/s.
 *
 * Absent when the addon is not built, does not load, or was built from a checkout that
 * predates the chunker; `FLOE_NATIVE_CHUNKER=off` keeps chunking in TypeScript.
 */
import { loadNativeAddon, OUT_OF_DATE } from '../../walrus/encoding/native/load.js';

/** Finds cut points in one stream (see `Cutter` in ../chunker.ts). */
export interface NativeCutter {
  find(data: Uint8Array, from: number, end: number): number;
}

export type NativeCutterClass = new (
  table: Uint32Array,
  minSize: number,
  avgSize: number,
  maxSize: number,
) => NativeCutter;

const DISABLE_VARIABLE = 'FLOE_NATIVE_CHUNKER';

export type NativeCutterProbe =
  { GearCutter: NativeCutterClass; reason: null } | { GearCutter: null; reason: string };

/** The cutter class from an addon's exports; absent (with why) from an older build. */
export function nativeCutterFrom(exports: Record<string, unknown>): NativeCutterProbe {
  const GearCutter = exports.GearCutter;
  if (typeof GearCutter !== 'function') return { GearCutter: null, reason: OUT_OF_DATE };
  return { GearCutter: GearCutter as NativeCutterClass, reason: null };
}

export function probeNativeCutter(): NativeCutterProbe {
  if (process.env[DISABLE_VARIABLE] === 'off')
    return { GearCutter: null, reason: `disabled by ${DISABLE_VARIABLE}=off` };
  const loaded = loadNativeAddon();
  if ('error' in loaded) return { GearCutter: null, reason: loaded.error };
  return nativeCutterFrom(loaded.module);
}
