/**
 * Restores started through the API run as jobs: a restore can take hours, far longer than
 * a request should stay open, so `POST /api/restores` answers with a job id at once and the
 * job reports its progress (the same `ProgressSnapshot` the CLI draws) until it is done or
 * failed. Finished jobs are kept, the newest `KEEP_FINISHED`, so a UI that reconnects can
 * still read how its restore ended.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { RepoKeys } from '../repo/keys.js';
import type { Snapshot } from '../repo/snapshot.js';
import type { ProgressSnapshot } from '../sync/progress.js';
import type { RepoReader } from '../sync/repo-reader.js';
import { restoreSnapshot, type ConflictChoice, type RestoreResult } from '../sync/restore.js';
import type { WalrusClient } from '../walrus/client/client.js';
import { HttpError } from './http.js';

const KEEP_FINISHED = 100;

export interface RestoreRequest {
  snapshot: Snapshot;
  folder: string;
  /** The path inside the folder, in the API's text form ('' for the whole folder). */
  path: string;
  /** The same path as raw names, as `restoreSnapshot` matches it. */
  subPath: Uint8Array[];
  /** Where to restore; null: to where it was (the folder, and a path at its own place in it). */
  target: string | null;
  conflict: ConflictChoice;
}

export interface RestoreJob {
  id: string;
  state: 'running' | 'done' | 'failed';
  snapshot: string;
  folder: string;
  path: string;
  /** The directory written into: the folder itself when restoring to where it was. */
  target: string;
  /** The path went back to its own place in the folder. */
  toOriginalPlace: boolean;
  conflict: ConflictChoice;
  startedAt: number;
  finishedAt: number | null;
  progress: ProgressSnapshot | null;
  result: RestoreResult | null;
  error: string | null;
}

export class RestoreJobs extends EventEmitter<{ update: [RestoreJob] }> {
  private readonly jobs = new Map<string, RestoreJob>();
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly client: WalrusClient,
    private readonly keys: RepoKeys,
    private readonly reader: () => Promise<RepoReader>,
  ) {
    super();
  }

  /**
   * Starts a restore. Two jobs writing into one target at once would race on the same
   * files, so a target with a running job is refused.
   */
  start(request: RestoreRequest): RestoreJob {
    const target = request.target ?? request.folder;
    const busy = [...this.jobs.values()].find((j) => j.state === 'running' && j.target === target);
    if (busy) throw new HttpError(409, `restore ${busy.id} is already writing into ${target}`);
    const job: RestoreJob = {
      id: randomBytes(8).toString('hex'),
      state: 'running',
      snapshot: request.snapshot.id,
      folder: request.folder,
      path: request.path,
      target,
      toOriginalPlace: request.target === null,
      conflict: request.conflict,
      startedAt: Date.now(),
      finishedAt: null,
      progress: null,
      result: null,
      error: null,
    };
    this.jobs.set(job.id, job);
    const run = this.run(job, request).finally(() => this.running.delete(run));
    this.running.add(run);
    return job;
  }

  get(id: string): RestoreJob | null {
    return this.jobs.get(id) ?? null;
  }

  /** Resolves once no job is running (the server waits for this before it is closed). */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }

  private async run(job: RestoreJob, request: RestoreRequest): Promise<void> {
    try {
      job.result = await restoreSnapshot(
        this.client,
        this.keys,
        request.snapshot,
        {
          ...(request.target === null ? {} : { target: request.target }),
          root: request.folder,
          subPath: request.subPath,
          conflict: request.conflict,
          onProgress: (p) => {
            job.progress = p;
            this.emit('update', job);
          },
        },
        await this.reader(),
      );
      job.state = 'done';
    } catch (error) {
      job.state = 'failed';
      job.error = (error as Error).message;
    }
    job.finishedAt = Date.now();
    this.emit('update', job);
    this.forgetOldest();
  }

  private forgetOldest(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.jobs.delete(j.id);
  }
}
