/**
 * A pool of worker threads that encode and decode blobs off the main thread.
 *
 * Memory, not CPU, is what runs out first: walrus-wasm holds the whole expanded matrix
 * and both sliver sets while it encodes (about 14x the blob; a 128 MiB blob at n = 1000
 * peaked near 1.8 GB), and a WebAssembly memory never shrinks once grown. So the pool
 * admits jobs only while their estimated peaks fit a budget, and replaces a worker after
 * a job big enough to have grown its memory far past the norm, or after any failure that
 * may have left the Rust side in a panicked state.
 *
 * With the native encoder built, encodes run on libuv's thread pool instead (the addon's
 * encodeAsync): no worker thread at all — its V8 isolate and module copies were ~30 MiB —
 * and nothing transferred, so the caller's blob buffer stays the caller's, to reuse.
 * Workers then only decode from non-systematic slivers. Otherwise workers start as jobs
 * need them (none at first): a backup encodes one pack at a time and a second idle worker
 * would hold ~30 MiB for nothing.
 *
 * An encode's sliver buffers (4.5× the blob) are lent to it and, once the caller
 * `recycle`s the result, kept for the next encode: a backup reuses one set instead of
 * leaving the allocator 150 MiB of freed slivers per 32 MiB pack (and the kernel fresh
 * pages to fault in each time).
 */
import { availableParallelism } from 'node:os';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { MalformedBcsError } from './bcs.js';
import {
  copySystematic,
  systematicParts,
  InsufficientSliversError,
  nativeEncoder,
  sliverLengths,
  sliverViews,
  type EncodedBlob,
} from './codec.js';
import { BlobTooLargeError, EncodingConfig } from './config.js';
import type { NativeEncoder } from './native/index.js';

export type CodecRequest =
  | {
      id: number;
      kind: 'encode';
      nShards: number;
      data: ArrayBuffer;
      /** Buffers for the n primary then n secondary slivers, at least their lengths. */
      slivers: ArrayBuffer[] | null;
    }
  | {
      id: number;
      kind: 'decode';
      nShards: number;
      blobId: ArrayBuffer;
      length: number;
      slivers: ArrayBuffer[];
    };

export type CodecResponse =
  | { id: number; ok: true; encoded: EncodedBlob }
  | { id: number; ok: true; data: Uint8Array }
  | { id: number; ok: false; error: WorkerError }
  | { ready: true };

/** An error as it crosses the thread boundary: name, message and its own fields. */
export interface WorkerError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export class CodecWorkerCrashedError extends Error {
  constructor(reason: string) {
    super(`the encoding worker stopped while running this job (${reason}); the job can be retried`);
    this.name = 'CodecWorkerCrashedError';
  }
}

export class CodecPoolClosedError extends Error {
  constructor() {
    super('the codec pool is closed');
    this.name = 'CodecPoolClosedError';
  }
}

/** Measured peaks of walrus-wasm, as multiples of the blob: see bench/codec.ts. */
// Native peaks at the blob plus its slivers (about 4.5×); walrus-wasm at about 14×.
const ENCODE_PEAK_FACTOR = nativeEncoder ? 6 : 14;
const DECODE_PEAK_FACTOR = 4;
const WORKER_BASELINE_BYTES = 32 * 1024 * 1024;
/** After a job this large the worker's wasm memory stays this large: recycle it. */
const RECYCLE_ABOVE_BYTES = 512 * 1024 * 1024;
const MAX_CONSECUTIVE_CRASHES = 3;
/** Recycled sliver buffers not reused within this long are let go. */
const SPARE_SLIVERS_MS = 10_000;
/** New sliver buffers are this much longer than needed, so that a slightly larger next blob fits. */
const SLIVER_HEADROOM = 1.125;

export function estimateJobBytes(kind: 'encode' | 'decode', blobLength: number): number {
  return (
    WORKER_BASELINE_BYTES +
    blobLength * (kind === 'encode' ? ENCODE_PEAK_FACTOR : DECODE_PEAK_FACTOR)
  );
}

export interface CodecPoolOptions {
  /** Worker threads; defaults to the number of cores. */
  size?: number;
  /** Sum of estimated job peaks allowed at once; a single larger job still runs alone. */
  memoryBudgetBytes?: number;
  resourceLimits?: ResourceLimits;
  /**
   * A worker job that runs longer than this is abandoned and its worker replaced (a wedged
   * encoder). Native encodes cannot be abandoned mid-way and are not timed.
   */
  jobTimeoutMs?: number;
  /**
   * The encoder to run on libuv's threads; null to encode in worker threads. Defaults to
   * the native encoder when it is built.
   */
  native?: NativeEncoder | null;
}

export interface CodecPoolStats {
  workers: number;
  running: number;
  queued: number;
  admittedBytes: number;
  peakAdmittedBytes: number;
  completed: number;
  crashed: number;
  recycled: number;
}

interface Job {
  /** A worker's request and what it transfers, or an encode on this thread's native encoder. */
  work: { request: CodecRequest; transfer: ArrayBuffer[] } | { native: () => Promise<EncodedBlob> };
  bytes: number;
  resolve: (value: EncodedBlob | Uint8Array) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Jobs go only to workers that have loaded the encoder, so a timeout measures the job alone. */
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
}

const runningFromSource = import.meta.url.endsWith('.ts');
const workerUrl = new URL(`./codec-worker${runningFromSource ? '.ts' : '.js'}`, import.meta.url);

/**
 * Built code starts the compiled worker directly. From TypeScript source (tests, `npm run
 * floe`) Node 20 does not carry tsx's loader into worker threads, so the worker first
 * registers it and then imports the source file.
 */
function startWorker(options: { resourceLimits?: ResourceLimits }): Worker {
  if (!runningFromSource) return new Worker(workerUrl, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(workerUrl.href)}); });`;
  return new Worker(boot, { ...options, eval: true });
}

export class CodecPool {
  readonly size: number;
  readonly memoryBudgetBytes: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  private admittedBytes = 0;
  private counters = { peakAdmittedBytes: 0, completed: 0, crashed: 0, recycled: 0 };
  /** Crashes since the last completed job: workers that die on their own are not respawned forever. */
  private consecutiveCrashes = 0;
  private broken: Error | null = null;
  private readonly readyWaiters: (() => void)[] = [];
  private spare: { nShards: number; buffers: ArrayBuffer[]; timer: NodeJS.Timeout } | null = null;
  private readonly native: NativeEncoder | null;
  /** Native encodes running on libuv's threads. */
  private readonly nativeJobs = new Set<Job>();

  constructor(private readonly options: CodecPoolOptions = {}) {
    this.size = Math.max(1, options.size ?? availableParallelism());
    this.memoryBudgetBytes = options.memoryBudgetBytes ?? 4 * 1024 ** 3;
    this.native = options.native === undefined ? nativeEncoder : options.native;
    if (!this.native) this.slots.push(this.spawn());
  }

  /**
   * Encodes `data`. In a worker its buffer is transferred there when `data` spans all of
   * it (else copied) and is unusable afterwards; natively it is read in place and must not
   * change until the promise settles, then it is the caller's again.
   */
  encode(nShards: number, data: Uint8Array): Promise<EncodedBlob> {
    const slivers = this.sliverBuffers(nShards, data.length);
    const bytes = estimateJobBytes('encode', data.length);
    const native = this.native;
    if (native) {
      const into = slivers ? sliverViews(nShards, data.length, slivers) : undefined;
      return this.submit(
        { native: () => native.encodeAsync(nShards, data, into) },
        bytes,
      ) as Promise<EncodedBlob>;
    }
    const buffer = ownBuffer(data);
    return this.submit(
      {
        request: { id: this.nextId++, kind: 'encode', nShards, data: buffer, slivers },
        transfer: [buffer, ...(slivers ?? [])],
      },
      bytes,
    ) as Promise<EncodedBlob>;
  }

  /**
   * Hands back an encode's result once nothing reads its slivers any more (nor will: no
   * request still sending them): their buffers serve the next encode.
   */
  recycle(encoded: EncodedBlob): void {
    const buffers = [...encoded.primary, ...encoded.secondary].map((s) => s.buffer);
    if (this.closed || !buffers.every((b) => b instanceof ArrayBuffer && b.byteLength > 0)) return;
    if (new Set(buffers).size !== buffers.length) return;
    this.dropSpare();
    const timer = setTimeout(() => this.dropSpare(), SPARE_SLIVERS_MS).unref();
    this.spare = { nShards: encoded.primary.length, buffers: buffers as ArrayBuffer[], timer };
  }

  /** Buffers for an encode's slivers: the recycled set when it fits, else new ones. */
  private sliverBuffers(nShards: number, length: number): ArrayBuffer[] | null {
    let size: { primary: number; secondary: number };
    try {
      if (length > new EncodingConfig(nShards).maxBlobSize) return null;
      size = sliverLengths(nShards, length);
    } catch {
      return null; // the worker reports what is wrong with the request
    }
    const spare = this.spare;
    this.dropSpare();
    const need = (i: number) => (i < nShards ? size.primary : size.secondary);
    if (spare?.nShards === nShards && spare.buffers.every((b, i) => b.byteLength >= need(i)))
      return spare.buffers;
    return Array.from(
      { length: 2 * nShards },
      (_, i) => Buffer.allocUnsafeSlow(Math.ceil(need(i) * SLIVER_HEADROOM)).buffer as ArrayBuffer,
    );
  }

  private dropSpare(): void {
    if (this.spare) clearTimeout(this.spare.timer);
    this.spare = null;
  }

  /**
   * The blob as parts whose concatenation it is: views of the systematic slivers when
   * they are all at hand (no copy), else the one decoded buffer.
   */
  async decodeParts(
    nShards: number,
    blobId: Uint8Array,
    length: number,
    slivers: Uint8Array[],
  ): Promise<Uint8Array[]> {
    return (
      systematicParts(nShards, length, slivers) ?? [
        await this.decode(nShards, blobId, length, slivers),
      ]
    );
  }

  decode(
    nShards: number,
    blobId: Uint8Array,
    length: number,
    slivers: Uint8Array[],
  ): Promise<Uint8Array> {
    // The usual case, all systematic slivers at hand, is a copy: no worker needed.
    const copied = copySystematic(nShards, length, slivers);
    if (copied) return Promise.resolve(copied);
    const buffers = slivers.map(ownBuffer);
    const id = ownBuffer(Uint8Array.from(blobId));
    return this.submit(
      {
        request: {
          id: this.nextId++,
          kind: 'decode',
          nShards,
          blobId: id,
          length,
          slivers: buffers,
        },
        transfer: [id, ...buffers],
      },
      estimateJobBytes('decode', length),
    ) as Promise<Uint8Array>;
  }

  /**
   * Resolves once every worker has loaded its encoder (or the pool closed), so that a
   * benchmark can time its jobs without the workers' start-up.
   */
  whenReady(): Promise<void> {
    if (this.closed || this.slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve) => {
      this.readyWaiters.push(resolve);
      this.dispatch();
    });
  }

  stats(): CodecPoolStats {
    return {
      workers: this.slots.length,
      running: this.slots.filter((s) => s.job).length + this.nativeJobs.size,
      queued: this.queue.length,
      admittedBytes: this.admittedBytes,
      ...this.counters,
    };
  }

  /** Stops every worker; queued and running jobs are rejected with `CodecPoolClosedError`. */
  async close(): Promise<void> {
    this.closed = true;
    this.dropSpare();
    const error = this.broken ?? new CodecPoolClosedError();
    for (const resolve of this.readyWaiters.splice(0)) resolve();
    for (const job of this.queue.splice(0)) job.reject(error);
    // A native encode runs on to its end on its thread; its caller hears now.
    for (const job of this.nativeJobs) this.settle(job)?.reject(error);
    const slots = this.slots.splice(0);
    for (const slot of slots) {
      slot.worker.removeAllListeners();
      this.release(slot)?.reject(error);
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private submit(work: Job['work'], bytes: number): Promise<EncodedBlob | Uint8Array> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new CodecPoolClosedError());
    return new Promise((resolve, reject) => {
      this.queue.push({ work, bytes, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    this.grow();
    this.admit();
    // Busy workers, and starting ones while jobs wait for them, keep the process alive
    // until the work is done; idle ones don't.
    for (const slot of this.slots) {
      const awaited = this.queue.length > 0 || this.readyWaiters.length > 0;
      if (slot.job || (!slot.ready && awaited)) slot.worker.ref();
      else slot.worker.unref();
    }
  }

  /** Starts another worker while more worker jobs wait than workers are free or starting. */
  private grow(): void {
    if (this.closed || this.slots.length >= this.size) return;
    const available = this.slots.filter((s) => !s.job).length;
    const waiting = this.queue.filter((j) => 'request' in j.work).length;
    if (waiting > available) this.slots.push(this.spawn());
  }

  private admit(): void {
    while (this.queue.length > 0) {
      const job = this.queue[0]!;
      const slot = 'request' in job.work ? this.slots.find((s) => s.ready && !s.job) : null;
      if ('request' in job.work ? !slot : this.nativeJobs.size >= this.size) return;
      const running = this.nativeJobs.size > 0 || this.slots.some((s) => s.job);
      // FIFO with backpressure: the head waits until it fits, unless nothing runs at all.
      if (running && this.admittedBytes + job.bytes > this.memoryBudgetBytes) return;
      this.queue.shift();
      this.admittedBytes += job.bytes;
      this.counters.peakAdmittedBytes = Math.max(
        this.counters.peakAdmittedBytes,
        this.admittedBytes,
      );
      if ('native' in job.work) {
        this.runNative(job, job.work.native);
        continue;
      }
      slot!.job = job;
      slot!.worker.postMessage(job.work.request, job.work.transfer);
      const timeout = this.options.jobTimeoutMs;
      if (timeout !== undefined) {
        slot!.timer = setTimeout(() => this.crash(slot!, `no result after ${timeout} ms`), timeout);
      }
    }
  }

  private runNative(job: Job, encode: () => Promise<EncodedBlob>): void {
    this.nativeJobs.add(job);
    encode().then(
      (encoded) => {
        if (!this.settle(job)) return;
        this.counters.completed++;
        job.resolve(encoded);
        this.dispatch();
      },
      (error: Error) => {
        if (!this.settle(job)) return;
        job.reject(error);
        this.dispatch();
      },
    );
  }

  /** Ends a native job's admission; null if it was already settled (the pool closed). */
  private settle(job: Job): Job | null {
    if (!this.nativeJobs.delete(job)) return null;
    this.admittedBytes -= job.bytes;
    return job;
  }

  private spawn(): Slot {
    const worker = startWorker(
      this.options.resourceLimits ? { resourceLimits: this.options.resourceLimits } : {},
    );
    const slot: Slot = { worker, ready: false, job: null, timer: null };
    worker.on('message', (response: CodecResponse) => {
      if ('ready' in response) {
        slot.ready = true;
        if (this.slots.every((s) => s.ready))
          for (const resolve of this.readyWaiters.splice(0)) resolve();
        this.dispatch();
      } else {
        this.finish(slot, response);
      }
    });
    worker.on('error', (error) => this.crash(slot, error.message));
    worker.on('exit', (code) => this.crash(slot, `exit code ${code}`));
    worker.unref();
    return slot;
  }

  private release(slot: Slot): Job | null {
    const job = slot.job;
    slot.job = null;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    if (job) this.admittedBytes -= job.bytes;
    return job;
  }

  private replace(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    if (this.closed) {
      this.slots.splice(index, 1);
      return;
    }
    this.slots[index] = this.spawn();
  }

  private finish(slot: Slot, response: Exclude<CodecResponse, { ready: true }>): void {
    const job = this.release(slot);
    if (!job) return;
    if (response.ok) {
      this.counters.completed++;
      this.consecutiveCrashes = 0;
      job.resolve('encoded' in response ? response.encoded : response.data);
      if (job.bytes > RECYCLE_ABOVE_BYTES) {
        this.counters.recycled++;
        this.replace(slot);
      }
    } else {
      job.reject(reviveError(response.error));
      // A Rust panic can leave the wasm instance poisoned; start from a fresh one.
      this.counters.recycled++;
      this.replace(slot);
    }
    this.dispatch();
  }

  private crash(slot: Slot, reason: string): void {
    if (this.closed || !this.slots.includes(slot)) return;
    const job = this.release(slot);
    this.counters.crashed++;
    this.consecutiveCrashes++;
    job?.reject(new CodecWorkerCrashedError(reason));
    if (this.consecutiveCrashes > MAX_CONSECUTIVE_CRASHES) {
      // Workers that die without finishing anything (no memory, a broken install) would
      // otherwise be respawned in a tight loop; fail loudly instead.
      this.broken = new CodecWorkerCrashedError(
        `${this.consecutiveCrashes} workers in a row stopped: ${reason}`,
      );
      void this.close();
      return;
    }
    this.replace(slot);
    this.dispatch();
  }
}

function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  if (
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength &&
    bytes.buffer instanceof ArrayBuffer
  ) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

const TYPED_ERRORS: Record<string, { prototype: Error }> = {
  BlobTooLargeError,
  InsufficientSliversError,
  MalformedBcsError,
};

/** Rebuilds a worker's error as its own class, so callers can still `instanceof` it. */
function reviveError(e: WorkerError): Error {
  const cls = TYPED_ERRORS[e.name];
  const error: Error = cls ? Object.create(cls.prototype) : new Error();
  return Object.assign(error, e.fields, { name: e.name, message: e.message });
}
