/**
 * Worker-thread side of `CodecPool`: runs one encode or decode at a time and hands the
 * result buffers back by transfer, so megabytes of slivers are moved, not copied.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBlob, encodeBlob, sliverViews } from './codec.js';
import type { CodecRequest, CodecResponse } from './pool.js';

if (!parentPort) throw new Error('codec-worker must run in a worker thread');
const port = parentPort;

port.on('message', (request: CodecRequest) => {
  try {
    if (request.kind === 'encode') {
      const data = new Uint8Array(request.data);
      const into = request.slivers
        ? sliverViews(request.nShards, data.length, request.slivers)
        : undefined;
      const encoded = encodeBlob(request.nShards, data, into);
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

port.postMessage({ ready: true } satisfies CodecResponse);
