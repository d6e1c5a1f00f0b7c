/**
 * Worker-thread side of `CodecPool`: runs one encode or decode at a time and hands the
 * result buffers back by transfer, so megabytes of slivers are moved, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBlob, encodeBlob, sliverLengths, type SliverBuffers } from './codec.js';
import type { CodecRequest, CodecResponse } from './pool.js';

if (!parentPort) throw new Error('codec-worker must run in a worker thread');
const port = parentPort;

port.on('message', (request: CodecRequest) => {
  try {
    if (request.kind === 'encode') {
      const data = new Uint8Array(request.data);
      const encoded = encodeBlob(
        request.nShards,
        data,
        into(request.nShards, data, request.slivers),
      );
      const transfer = [...encoded.primary, ...encoded.secondary].map(
        (s) => s.buffer as ArrayBuffer,
      );
      port.postMessage({ id: request.id, ok: true, encoded } satisfies CodecResponse, transfer);
    } else {
      const slivers = request.slivers.map((s) => new Uint8Array(s));
      const data = decodeBlob(
        request.nShards,
        new Uint8Array(request.blobId),
        request.length,
        slivers,
      );
      port.postMessage({ id: request.id, ok: true, data } satisfies CodecResponse, [
        data.buffer as ArrayBuffer,
      ]);
    }
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const failure = { name: e.name, message: e.message, fields: { ...e } };
    port.postMessage({ id: request.id, ok: false, error: failure } satisfies CodecResponse);
  }
});

/** Views of the pool's buffers (n primary, then n secondary) at the slivers' exact lengths. */
function into(
  n: number,
  data: Uint8Array,
  buffers: ArrayBuffer[] | null,
): SliverBuffers | undefined {
  if (!buffers) return undefined;
  const size = sliverLengths(n, data.length);
  return {
    primary: buffers.slice(0, n).map((b) => new Uint8Array(b, 0, size.primary)),
    secondary: buffers.slice(n).map((b) => new Uint8Array(b, 0, size.secondary)),
  };
}

port.postMessage({ ready: true } satisfies CodecResponse);
