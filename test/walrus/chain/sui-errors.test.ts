import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SuiClientTypes } from '@mysten/sui/client';
import { chainErrorFromExecution } from '../../../core/walrus/chain/sui-errors.js';

const WALRUS = '0x' + 'fd'.repeat(32);

function abort(pkg: string, module: string, code: number): SuiClientTypes.ExecutionError {
  return {
    $kind: 'MoveAbort',
    message: `MoveAbort in ${module} with code ${code}`,
    command: 1,
    MoveAbort: { abortCode: String(code), location: { package: pkg, module } },
  } as SuiClientTypes.ExecutionError;
}

test('a Walrus abort becomes the refusal the localnet gives for the same mistake', () => {
  const e = chainErrorFromExecution(abort(WALRUS, 'blob', 1));
  assert.equal(e.code, 'InvalidState');
  assert.match(e.message, /permanent and cannot be deleted/);
  assert.match(e.message, /MoveAbort in blob with code 1/, 'keeps what Sui said');
  assert.equal(
    chainErrorFromExecution(abort(WALRUS, 'bls_aggregate', 2)).code,
    'InvalidCertificate',
  );
  assert.equal(
    chainErrorFromExecution(abort(WALRUS, 'system_state_inner', 2)).code,
    'InvalidArgument',
  );
});

test('framework aborts are read by module only when the framework raised them', () => {
  assert.equal(chainErrorFromExecution(abort('0x2', 'balance', 2)).code, 'InsufficientBalance');
  assert.equal(
    chainErrorFromExecution(abort('0x' + '0'.repeat(63) + '2', 'vec_map', 1)).code,
    'NotFound',
  );
  assert.equal(chainErrorFromExecution(abort(WALRUS, 'balance', 2)).code, 'MoveAbort');
});

test('an abort Floe has no words for keeps its code and Sui message', () => {
  const e = chainErrorFromExecution(abort(WALRUS, 'blob', 42));
  assert.equal(e.code, 'MoveAbort');
  assert.equal(e.message, 'MoveAbort in blob with code 42');
});

test('failures other than aborts are execution failures', () => {
  const e = chainErrorFromExecution({
    $kind: 'Unknown',
    Unknown: null,
    message: 'InsufficientGas',
  } as SuiClientTypes.ExecutionError);
  assert.equal(e.code, 'ExecutionFailed');
  assert.equal(e.message, 'InsufficientGas');
});
