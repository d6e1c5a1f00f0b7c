/** Errors of the store and read paths, phrased for the person who sees them. */

export class NotEnoughSliversError extends Error {
  constructor(
    readonly blobId: string,
    readonly have: number,
    readonly need: number,
    readonly failures: string[],
  ) {
    super(
      `blob ${blobId} cannot be read: ${have} of the ${need} slivers needed could be fetched and verified ` +
        `(too many storage nodes are down or serve bad data). Try again later; ` +
        `failures: ${failures.slice(0, 5).join('; ')}${failures.length > 5 ? '; …' : ''}`,
    );
    this.name = 'NotEnoughSliversError';
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
