/**
 * Why the ledger refused a transaction. Each carries a stable `code` for the HTTP API
 * and a message that says what the sender can do about it; a refused transaction
 * changes nothing.
 */
export class LedgerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'LedgerError';
  }
}

export const refuse = {
  badSignature: (why: string) =>
    new LedgerError('BadSignature', `the transaction signature is invalid: ${why}`, 401),
  replay: (expected: number, got: number) =>
    new LedgerError(
      'Replay',
      `nonce ${got} was already used or skipped; the next nonce for this account is ${expected}`,
      409,
    ),
  notOwner: (objectId: string, owner: string) =>
    new LedgerError(
      'NotOwner',
      `object ${objectId} belongs to ${owner}; only its owner can do this`,
      403,
    ),
  notFound: (what: string) => new LedgerError('NotFound', `${what} does not exist`, 404),
  insufficientBalance: (coin: string, need: bigint, have: bigint) =>
    new LedgerError(
      'InsufficientBalance',
      `this needs ${need} ${coin === 'WAL' ? 'FROST' : 'MIST'} of ${coin} but the account has ${have}; top it up and retry`,
      402,
    ),
  invalid: (why: string) => new LedgerError('InvalidArgument', why),
  storageExceeded: (asked: bigint, free: bigint, epoch: number) =>
    new LedgerError(
      'StorageExceeded',
      `the network is full: ${asked} bytes of storage were asked for epoch ${epoch} and ${free < 0n ? 0n : free} are free; ` +
        'store for fewer epochs, or later, when storage expires or nodes offer more',
      409,
    ),
  priceChanged: (price: bigint, offered: bigint) =>
    new LedgerError(
      'PriceChanged',
      `this costs ${price} FROST of WAL at today's prices, more than the ${offered} offered; quote again`,
      409,
    ),
  state: (why: string) => new LedgerError('InvalidState', why, 409),
  certificate: (why: string) =>
    new LedgerError('InvalidCertificate', `the certificate is not valid: ${why}`),
};
