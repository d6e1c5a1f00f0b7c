/** Errors of the store and read paths, phrased for the person who sees them. */

export class NotEnoughSliversError extends Error {
  /**
   * More slivers failed verification than a read may miss: the storage nodes answered,
   * with damaged data, and asking again returns the same bytes. Nodes that were merely
   * unreachable may come back, so anything short of that is worth retrying.
   */
  readonly permanent: boolean;

  constructor(
    readonly blobId: string,
    readonly have: number,
    readonly need: number,
    readonly failures: string[],
    /** Slivers that were served but failed verification. */
    readonly corrupt = 0,
    /** Slivers the blob has (one per shard): a read may miss `total - need` of them. */
    readonly total = 0,
  ) {
    const permanent = total > 0 && corrupt > total - need;
    const listed = `failures: ${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''}`;
    super(
      permanent
        ? `blob ${blobId} cannot be read: ${corrupt} of its ${total} slivers fail verification (the storage nodes hold ` +
            `corrupted or tampered data) and only ${have} of the ${need} needed are intact, so retrying will not help. ` +
            'Unless the storage nodes repair their copies this data is lost: back up the files again where they still ' +
            'exist ("floe backup" stores them anew) and run "floe check --read-data" to find what else is affected; ' +
            listed
        : `blob ${blobId} cannot be read: ${have} of the ${need} slivers needed could be fetched and verified ` +
            `(too many storage nodes are down or serve bad data). Try again later; ${listed}`,
    );
    this.name = 'NotEnoughSliversError';
    this.permanent = permanent;
  }
}

export class NotEnoughConfirmationsError extends Error {
  constructor(
    readonly blobId: string,
    readonly confirmedShards: number,
    readonly quorum: number,
    readonly failures: string[],
  ) {
    super(
      `blob ${blobId} could not be certified: storage nodes holding ${confirmedShards} shards confirmed, ` +
        `${quorum} are needed. The blob stays registered and can be stored again; ` +
        `failures: ${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''}`,
    );
    this.name = 'NotEnoughConfirmationsError';
  }
}

export class BlobMetadataUnavailableError extends Error {
  constructor(
    readonly blobId: string,
    readonly failures: string[],
  ) {
    super(
      `no storage node returned valid metadata for blob ${blobId}: it may be expired, deleted or never ` +
        `stored; failures: ${failures.slice(0, 5).join('; ')}`,
    );
    this.name = 'BlobMetadataUnavailableError';
  }
}

export class RelayTipTooHighError extends Error {
  constructor(
    readonly relayUrl: string,
    readonly tip: bigint,
    readonly maxTip: bigint,
  ) {
    super(
      `the upload relay ${relayUrl} asks a tip of ${tip} MIST for this blob, more than the ` +
        `${maxTip} MIST allowed in Settings; nothing was paid or registered`,
    );
    this.name = 'RelayTipTooHighError';
  }
}
