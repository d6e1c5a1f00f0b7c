/**
 * Why Sui refused a Walrus transaction, in the codes `LocalChain` uses (the localnet
 * ledger's `refuse.*`), so callers handle both networks alike. A Move abort names the
 * module and the numeric constant; the table below is the Walrus package's own constants
 * (walrus `mainnet-contracts/walrus/sources`, `const E… : u64`), each with what it means
 * for a Floe blob.
 */
import type { SuiClientTypes } from '@mysten/sui/client';
import { ChainError, chainRefusal } from './chain.js';

type Refusal = [code: string, meaning: string];

const WALRUS_ABORTS: Record<string, Record<number, Refusal>> = {
  blob: {
    0: ['InvalidState', 'the blob is not certified'],
    1: ['InvalidState', 'the blob was stored as permanent and cannot be deleted'],
    2: ['InvalidState', 'the blob has expired or its storage does not cover this epoch'],
    3: ['InvalidArgument', 'the storage bought is smaller than the encoded blob'],
    5: ['InvalidState', 'the blob is already certified'],
    6: ['InvalidArgument', 'the blob id does not match its root hash, encoding type and size'],
    8: ['NotFound', 'the blob has no attributes'],
    9: ['InvalidCertificate', 'the certificate is for another persistence type'],
    10: ['InvalidCertificate', 'the certificate is for another blob object'],
  },
  system_state_inner: {
    1: ['StorageExceeded', 'Walrus has no free storage capacity for that period'],
    2: ['InvalidArgument', 'storage can only be bought from 1 up to the maximum epochs ahead'],
    3: ['InvalidCertificate', 'the certificate was signed in another epoch'],
    11: ['InvalidArgument', 'storage of size zero cannot be bought'],
  },
  bls_aggregate: {
    0: ['InvalidCertificate', 'the signers bitmap does not fit the committee'],
    1: ['InvalidCertificate', 'the aggregate signature does not verify'],
    2: ['InvalidCertificate', 'the signers do not hold a quorum of shards'],
  },
  messages: {
    0: ['InvalidCertificate', 'the signed message is not a storage message'],
    1: ['InvalidCertificate', 'the signed message is for another epoch'],
    2: ['InvalidCertificate', 'the signed message is not a blob certification'],
    3: ['InvalidCertificate', 'the signed message has an unknown intent version'],
    4: ['InvalidCertificate', 'the signed message has an unknown persistence type'],
  },
  system: {
    1: ['WrongVersion', 'the Walrus package was upgraded; Floe must call the new package'],
  },
};

/** Sui framework modules whose aborts, in Floe's transactions, have one cause each. */
const FRAMEWORK_ABORTS: Record<string, Refusal> = {
  // balance::split while paying: the selected WAL did not cover the price charged.
  balance: ['InsufficientBalance', 'the WAL paid does not cover the price'],
  // vec_map::remove of a key the blob's attributes do not have.
  vec_map: ['NotFound', 'the blob has no such attribute'],
};

export function chainErrorFromExecution(error: SuiClientTypes.ExecutionError): ChainError {
  if (error.$kind === 'MoveAbort') {
    const { abortCode, location } = error.MoveAbort;
    const module = location?.module ?? '';
    const refusal =
      WALRUS_ABORTS[module]?.[Number(abortCode)] ??
      (isFramework(location?.package) ? FRAMEWORK_ABORTS[module] : undefined);
    if (refusal) return chainRefusal(refusal[0], `${refusal[1]} (${error.message})`);
    return new ChainError('MoveAbort', error.message);
  }
  if (error.$kind === 'ObjectIdError' || error.$kind === 'CommandArgumentError')
    return new ChainError('InvalidArgument', error.message);
  return new ChainError('ExecutionFailed', error.message);
}

function isFramework(pkg: string | undefined): boolean {
  return pkg !== undefined && /^0x0*2$/.test(pkg);
}
