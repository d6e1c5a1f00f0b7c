/**
 * Checking a signed ledger transaction (its envelope is in `wire.ts`): the bytes are a
 * JSON body, signed by the sender's Ed25519 key as Sui signs transaction data.
 */
import { verifyTransactionSignature } from '@mysten/sui/verify';
import { refuse } from './errors.js';
import { parseTransactionBody } from './validate.js';
import type { SignedTransaction, TransactionBody } from './wire.js';

/** Checks the signature and that it is the sender's; returns the body. Touches no state. */
export async function verifyTransaction(tx: SignedTransaction): Promise<TransactionBody> {
  if (typeof tx?.bytes !== 'string' || typeof tx?.signature !== 'string') {
    throw refuse.invalid('a transaction needs base64 "bytes" and "signature"');
  }
  const bytes = new Uint8Array(Buffer.from(tx.bytes, 'base64'));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw refuse.invalid('the transaction bytes are not JSON');
  }
  const body = parseTransactionBody(json);
  let signer: string;
  try {
    signer = (await verifyTransactionSignature(bytes, tx.signature)).toSuiAddress();
  } catch (error) {
    throw refuse.badSignature((error as Error).message);
  }
  if (signer !== body.sender)
    throw refuse.badSignature(`signed by ${signer}, not by the sender ${body.sender}`);
  return body;
}
