/**
 * Tray icons, drawn in code rather than shipped as files: one distinct look per state
 * (colour and glyph, so it reads in monochrome menus too) and a progress arc while
 * syncing. Shapes are signed-distance tests sampled 4×4 per pixel for smooth edges, and
 * the result is encoded as a PNG that Electron's nativeImage takes as is.
 */
import { deflateSync } from 'node:zlib';
import type { TrayIconState } from './tray-state.js';

type Rgb = [number, number, number];

const COLOURS: Record<TrayIconState, Rgb> = {
  synced: [46, 160, 67],
  syncing: [31, 111, 235],
  paused: [110, 118, 129],
  'renewal-due': [210, 153, 34],
  'renewal-failed': [218, 54, 51],
  offline: [110, 118, 129],
  pending: [84, 140, 230],
  attention: [219, 109, 40],
  'backup-failed': [218, 54, 51],
};

/** Coverage of one sample point (x, y in -1…1, centre 0) by a state's shape. */
type Shape = (x: number, y: number) => boolean;

const disc =
  (r: number): Shape =>
  (x, y) =>
    x * x + y * y <= r * r;
const ring =
  (outer: number, inner: number): Shape =>
  (x, y) => {
    const d = x * x + y * y;
    return d <= outer * outer && d >= inner * inner;
  };
const box =
  (x0: number, y0: number, x1: number, y1: number): Shape =>
  (x, y) =>
    x >= x0 && x <= x1 && y >= y0 && y <= y1;
/** A thick segment from (ax, ay) to (bx, by). */
const stroke =
  (ax: number, ay: number, bx: number, by: number, w: number): Shape =>
  (x, y) => {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    const px = ax + t * dx - x;
    const py = ay + t * dy - y;
    return px * px + py * py <= w * w;
  };

/** The white glyph cut into the coloured disc. */
function glyph(state: TrayIconState, percent: number | null): Shape {
  switch (state) {
    case 'synced':
      return (x, y) =>
        stroke(-0.45, 0, -0.12, 0.32, 0.12)(x, y) || stroke(-0.12, 0.32, 0.48, -0.3, 0.12)(x, y);
    case 'syncing': {
      // An arc that grows with progress (a full ring when the total is unknown).
      const sweep = ((percent ?? 100) / 100) * 2 * Math.PI;
      const band = ring(0.58, 0.36);
      return (x, y) => {
        if (!band(x, y)) return false;
        const angle = (Math.atan2(x, -y) + 2 * Math.PI) % (2 * Math.PI);
        return angle <= sweep;
      };
    }
    case 'paused':
      return (x, y) => box(-0.38, -0.45, -0.1, 0.45)(x, y) || box(0.1, -0.45, 0.38, 0.45)(x, y);
    case 'renewal-due':
      // A clock: the hands at ten to the hour.
      return (x, y) =>
        ring(0.6, 0.46)(x, y) ||
        stroke(0, 0, 0, -0.36, 0.09)(x, y) ||
        stroke(0, 0, 0.28, 0.12, 0.09)(x, y);
    case 'renewal-failed':
      return (x, y) => box(-0.1, -0.55, 0.1, 0.15)(x, y) || disc(0.12)(x, y - 0.4);
    case 'offline':
      return (x, y) => ring(0.55, 0.38)(x, y) || stroke(-0.6, -0.6, 0.6, 0.6, 0.1)(x, y);
    case 'pending':
      // Three dots: something is waiting its turn.
      return (x, y) => disc(0.13)(x + 0.4, y) || disc(0.13)(x, y) || disc(0.13)(x - 0.4, y);
    case 'attention':
      // A question to answer: "?" drawn as a hook and a dot.
      return (x, y) =>
        (ring(0.32, 0.16)(x, y + 0.22) && !(x < 0 && y > -0.22)) ||
        box(-0.08, -0.1, 0.08, 0.2)(x, y) ||
        disc(0.1)(x, y - 0.42);
    case 'backup-failed':
      // A cross: the backup did not go through.
      return (x, y) =>
        stroke(-0.35, -0.35, 0.35, 0.35, 0.12)(x, y) ||
        stroke(-0.35, 0.35, 0.35, -0.35, 0.12)(x, y);
  }
}

/** RGBA pixels of the icon at `size`×`size`. */
export function renderTrayIcon(
  state: TrayIconState,
  percent: number | null,
  size: number,
): Uint8Array {
  const [r, g, b] = COLOURS[state];
  const body = disc(0.96);
  const mark = glyph(state, percent);
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let covered = 0;
      let white = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * 2 - 1;
          const y = ((py + (sy + 0.5) / samples) / size) * 2 - 1;
          if (!body(x, y)) continue;
          covered++;
          if (mark(x, y)) white++;
        }
      }
      const n = samples * samples;
      const alpha = covered / n;
      const w = covered ? white / covered : 0;
      const at = (py * size + px) * 4;
      pixels[at] = Math.round(r + (255 - r) * w);
      pixels[at + 1] = Math.round(g + (255 - g) * w);
      pixels[at + 2] = Math.round(b + (255 - b) * w);
      pixels[at + 3] = Math.round(alpha * 255);
    }
  }
  return pixels;
}

/** The icon as a PNG file's bytes. */
export function trayIconPng(state: TrayIconState, percent: number | null, size = 32): Buffer {
  return encodePng(renderTrayIcon(state, percent, size), size, size);
}

function encodePng(rgba: Uint8Array, width: number, height: number): Buffer {
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(
      raw,
      y * (width * 4 + 1) + 1,
    );
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
