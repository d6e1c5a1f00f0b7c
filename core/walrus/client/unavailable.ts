/**
 * Whether an error means "the network could not be reached, or too few storage nodes
 * answered" — a condition that passes by itself, so work is retried rather than failed,
 * the CLI exits with its network code and the API answers 503.
 */
import { ChainUnavailableError } from '../chain/chain.js';
import {
  BlobMetadataUnavailableError,
  NotEnoughConfirmationsError,
  NotEnoughSliversError,
} from './errors.js';

const UNAVAILABLE = [
  ChainUnavailableError,
  NotEnoughSliversError,
  NotEnoughConfirmationsError,
  BlobMetadataUnavailableError,
];

export function isNetworkUnavailable(error: unknown): boolean {
  // Slivers that fail verification are damage, not an outage: retrying does not help.
  if (error instanceof NotEnoughSliversError && error.permanent) return false;
  return UNAVAILABLE.some((type) => error instanceof type);
}
