/**
 * The quorum rule of Walrus's `bls_aggregate.move` (`is_quorum`): signers holding w of the
 * n shards certify when 3w ≥ 2n + 1. It equals the textbook 2f + 1 only when n = 3f + 1;
 * at n = 5 it needs 4 shards where 2f + 1 is 3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CommitteeMember } from '../../../core/walrus/chain/chain.js';
import { certificateProblem } from '../../../core/walrus/protocol/certificate.js';
import {
  blsAggregateSignatures,
  blsSign,
  confirmationMessage,
  generateBlsKeyPair,
} from '../../../core/walrus/protocol/index.js';
import { isQuorum, quorumWeight } from '../../../core/walrus/protocol/quorum.js';

const CASES: [n: number, quorum: number][] = [
  [4, 3],
  [5, 4],
  [7, 5],
  [10, 7],
  [100, 67],
];

test('the quorum is the least weight w with 3w ≥ 2n + 1, at n = 4, 5, 7, 10, 100', () => {
  for (const [n, q] of CASES) {
    assert.equal(quorumWeight(n), q, `n = ${n}`);
    assert.equal(isQuorum(q, n), true, `n = ${n}, w = ${q}`);
    assert.equal(isQuorum(q - 1, n), false, `n = ${n}, w = ${q - 1}`);
  }
});

test('for every n the quorum leaves f = ⌊(n − 1)/3⌋ shards that need not answer', () => {
  for (let n = 4; n <= 1000; n++) {
    const f = Math.floor((n - 1) / 3);
    assert.equal(quorumWeight(n), n - f, `n = ${n}`);
    assert.equal(isQuorum(quorumWeight(n), n) && !isQuorum(quorumWeight(n) - 1, n), true);
  }
});

test('a certificate one shard short of 3w ≥ 2n + 1 is refused; at the quorum it holds', () => {
  for (const [n, q] of CASES) {
    // Three members holding q − 1, 1 and n − q shards: {0} is one short, {0, 1} is exact.
    const keys = [0, 1, 2].map(() => generateBlsKeyPair());
    const sizes = [q - 1, 1, n - q];
    let next = 0;
    const committee: CommitteeMember[] = sizes.map((count, index) => ({
      index,
      nodeId: `node-${index}`,
      name: `node ${index}`,
      url: 'http://127.0.0.1:1',
      blsPublicKey: Buffer.from(keys[index]!.publicKey).toString('hex'),
      stake: '1',
      shards: Array.from({ length: count }, () => next++),
    }));
    const message = confirmationMessage(3, new Uint8Array(32).fill(n), { deletable: false });
    const sign = (signers: number[]) =>
      blsAggregateSignatures(signers.map((i) => blsSign(keys[i]!.secretKey, message)));
    assert.equal(
      certificateProblem(committee, n, [0], message, sign([0])),
      `signers hold ${q - 1} shards, ${q} are needed`,
      `n = ${n}`,
    );
    assert.equal(certificateProblem(committee, n, [0, 1], message, sign([0, 1])), null);
  }
});
