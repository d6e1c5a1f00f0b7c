/**
 * Every field of every ledger call is checked before anything is applied: malformed calls
 * are refused with InvalidArgument naming the field, and change nothing — not a balance,
 * not the nonce, not the event log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Ed25519Keypair } from '@mysten/sui/keypairs/ed25519';
import { ChainError } from '../../../core/walrus/chain/chain.js';
import { LocalChain } from '../../../core/walrus/chain/local-chain.js';
import { blobIdToString, encodeBlob } from '../../../core/walrus/encoding/index.js';
import { encodeTransaction, type Call } from '../../../core/localnet/ledger/wire.js';
import { startTestLedger, type TestLedger } from '../../support/ledger.js';

async function refusedAs(p: Promise<unknown>, code: string, mentions?: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ChainError, `expected a ChainError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (mentions) assert.match(e.message, new RegExp(mentions));
    return true;
  });
}

/** What a refused call must leave untouched. */
async function snapshot(t: TestLedger, chain: LocalChain) {
  const account = t.server.ledger.account(chain.address);
  const { nextCursor } = t.server.ledger.events(0, 1_000_000);
  return { account, events: nextCursor };
}

async function funded(t: TestLedger): Promise<{ chain: LocalChain; keypair: Ed25519Keypair }> {
  const keypair = new Ed25519Keypair();
  const chain = new LocalChain(t.server.url, keypair);
  await chain.faucet(chain.address);
  return { chain, keypair };
}

test('transfer_wal refuses a missing, empty or overlong recipient and changes nothing', async () => {
  const t = await startTestLedger();
  try {
    const { chain } = await funded(t);
    const before = await snapshot(t, chain);
    for (const to of [undefined, '', 'x'.repeat(5000), '0x12', chain.address.toUpperCase()]) {
      await refusedAs(
        chain.execute({ kind: 'transfer_wal', to, amount: '5' } as unknown as Call),
        'InvalidArgument',
        'to',
      );
    }
    assert.deepEqual(await snapshot(t, chain), before);
    assert.equal(t.server.ledger.account('').wal, '0');
  } finally {
    await t.close();
  }
});

test('amounts must be decimal strings of positive integers within u64', async () => {
  const t = await startTestLedger();
  try {
    const { chain } = await funded(t);
    const to = new Ed25519Keypair().toSuiAddress();
    const before = await snapshot(t, chain);
    for (const amount of [12, ['5'], '0', '-5', '5.0', ' 5', '0x5', '1e3', String(2n ** 64n), '']) {
      await refusedAs(
        chain.execute({ kind: 'transfer_wal', to, amount } as unknown as Call),
        'InvalidArgument',
        'amount',
      );
    }
    assert.deepEqual(await snapshot(t, chain), before);
    assert.equal(t.server.ledger.account(to).wal, '0');
    await chain.execute({ kind: 'transfer_wal', to, amount: '5' });
    assert.equal(t.server.ledger.account(to).wal, '5');
  } finally {
    await t.close();
  }
});

test('GET /v1/cost with a size or epochs that is not a whole number answers 400', async () => {
  const t = await startTestLedger();
  try {
    for (const q of ['size=abc&epochs=1', 'size=10&epochs=x', 'epochs=1', 'size=-1&epochs=1']) {
      const res = await fetch(`${t.server.url}/v1/cost?${q}`);
      assert.equal(res.status, 400, q);
      const body = (await res.json()) as { error: { code: string; message: string } };
      assert.equal(body.error.code, 'InvalidArgument');
    }
    const ok = await fetch(`${t.server.url}/v1/cost?size=10&epochs=2`);
    assert.equal(ok.status, 200);
  } finally {
    await t.close();
  }
});

test('queries with malformed addresses, cursors or limits answer 400, not 500', async () => {
  const t = await startTestLedger();
  try {
    for (const path of [
      '/v1/accounts/nobody',
      '/v1/accounts/nobody/blobs',
      '/v1/accounts/nobody/storage',
      '/v1/events?cursor=abc',
      '/v1/events?cursor=-1',
      `/v1/accounts/${t.chain.address}/blobs?limit=0`,
      '/v1/blobs/not-a-blob-id',
    ]) {
      const res = await fetch(t.server.url + path);
      assert.equal(res.status, 400, path);
    }
  } finally {
    await t.close();
  }
});

// ---- fuzz --------------------------------------------------------------------

const HEX32 = 'ab'.repeat(32);
const ADDRESS = '0x' + 'cd'.repeat(32);
const OBJECT = '0x' + 'ef'.repeat(32);

/** A well-formed instance of every call: the fuzzer breaks one field at a time. */
function templates(blobId: string): Call[] {
  return [
    { kind: 'transfer_wal', to: ADDRESS, amount: '5' },
    {
      kind: 'register_blob',
      blobId,
      rootHash: HEX32,
      size: 1000,
      encodingType: 1,
      epochs: 2,
      deletable: true,
      attributes: { a: 'b' },
      storageId: OBJECT,
      tip: { to: ADDRESS, amount: '7' },
      payment: '100',
    },
    {
      kind: 'certify_blob',
      objectId: OBJECT,
      signature: Buffer.alloc(96, 1).toString('base64'),
      signers: [0, 1, 2],
      message: Buffer.alloc(40, 2).toString('base64'),
    },
    { kind: 'extend_blob', objectId: OBJECT, epochs: 1, payment: '100' },
    { kind: 'delete_blob', objectId: OBJECT },
    { kind: 'transfer_blob', objectId: OBJECT, to: ADDRESS },
    { kind: 'set_attributes', objectId: OBJECT, attributes: { k: 'v' } },
    { kind: 'remove_attribute', objectId: OBJECT, key: 'k' },
    { kind: 'split_storage_by_epoch', storageId: OBJECT, epoch: 3 },
    { kind: 'split_storage_by_size', storageId: OBJECT, size: 100 },
    { kind: 'merge_storage', storageId: OBJECT, otherId: ADDRESS },
    { kind: 'stake', nodeId: 'node-1', amount: '10' },
    { kind: 'withdraw_stake', stakeId: OBJECT },
    { kind: 'set_node_url', nodeId: 'node-1', url: 'http://127.0.0.1:9/' },
    { kind: 'set_storage_price_vote', nodeId: 'node-1', price: '5' },
    { kind: 'set_write_price_vote', nodeId: 'node-1', price: '5' },
    { kind: 'set_node_capacity_vote', nodeId: 'node-1', capacity: '1000' },
    { kind: 'epoch_sync_done', nodeId: 'node-1', epoch: 2 },
    {
      kind: 'answer_challenge',
      challengeId: '2-node-1',
      primaryHash: HEX32,
      secondaryHash: HEX32,
      pairProof: [HEX32],
      symbol: Buffer.alloc(4).toString('base64'),
      symbolProof: [HEX32],
    },
  ];
}

/** Values no field accepts, whatever its type. */
const ALWAYS_BAD: unknown[] = [undefined, null, {}, [[]], '~'.repeat(5000), { $gt: 1 }];
/** Values wrong for a field of the template value's type. */
function badFor(value: unknown): unknown[] {
  if (typeof value === 'string')
    return ['', 12, true, [value], value + ' ', value.toUpperCase() + '\u0000'];
  if (typeof value === 'number') return ['1', -1, 1.5, Number.NaN, 2 ** 53, 2 ** 64, true, [value]];
  if (typeof value === 'boolean') return [1, 'true', [value]];
  if (Array.isArray(value))
    return ['x', [null], [-1], ['zz'], Array.from({ length: 5_000 }, () => value[0])];
  return ['x', 5, [value], { ['x'.repeat(2000)]: 'v' }, { k: 5 }];
}

function* mutants(call: Call): Generator<{ what: string; call: unknown }> {
  const fields = Object.keys(call).filter((k) => k !== 'kind');
  for (const field of fields) {
    const value = (call as unknown as Record<string, unknown>)[field];
    for (const bad of [...ALWAYS_BAD, ...badFor(value)]) {
      // An optional field may be left out: that mutant is a valid call, not a malformed one.
      if (bad === undefined && ['attributes', 'storageId', 'tip', 'payment'].includes(field))
        continue;
      // Any printable string is a valid attribute key, and an empty map sets nothing.
      if (field === 'key' && bad === `${value} `) continue;
      if (field === 'attributes' && isEmptyObject(bad)) continue;
      yield { what: `${call.kind}.${field} = ${describe(bad)}`, call: { ...call, [field]: bad } };
    }
  }
  yield { what: `${call.kind} with an unknown field`, call: { ...call, extra: 1 } };
}

function isEmptyObject(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
}

function describe(v: unknown): string {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 40)}… (${text.length} chars)` : text;
}

test('a fuzz of every call with malformed fields: each refused as InvalidArgument, nothing changes', async () => {
  const t = await startTestLedger();
  try {
    const { chain, keypair } = await funded(t);
    const e = encodeBlob(10, randomBytes(100));
    const blobId = blobIdToString(e.blobId);
    const before = await snapshot(t, chain);
    let sent = 0;
    const escaped: string[] = [];
    for (const template of templates(blobId)) {
      for (const { what, call } of mutants(template)) {
        sent++;
        try {
          await chain.execute(call as Call);
          escaped.push(`${what}: accepted`);
        } catch (error) {
          if (!(error instanceof ChainError) || error.code !== 'InvalidArgument')
            escaped.push(`${what}: ${(error as Error).name} ${(error as ChainError).code}`);
        }
      }
    }
    // The envelope: sender, nonce, call and auth payload.
    const { nonce } = t.server.ledger.account(chain.address);
    const call = templates(blobId)[0]!;
    const envelopes: [string, unknown][] = [
      ['no sender', { nonce, call }],
      ['sender not an address', { sender: 'me', nonce, call }],
      ['nonce a string', { sender: chain.address, nonce: String(nonce), call }],
      ['nonce negative', { sender: chain.address, nonce: -1, call }],
      ['nonce fractional', { sender: chain.address, nonce: 0.5, call }],
      ['call missing', { sender: chain.address, nonce }],
      ['call not an object', { sender: chain.address, nonce, call: 'transfer_wal' }],
      ['call kind unknown', { sender: chain.address, nonce, call: { kind: 'mint' } }],
      ['authPayload not base64', { sender: chain.address, nonce, call, authPayload: '%%' }],
      ['unknown envelope field', { sender: chain.address, nonce, call, gas: 1 }],
    ];
    for (const [what, body] of envelopes) {
      sent++;
      const bytes = encodeTransaction(body as never);
      const { signature } = await keypair.signTransaction(bytes);
      const res = await fetch(`${t.server.url}/v1/transactions`, {
        method: 'POST',
        body: JSON.stringify({ bytes: Buffer.from(bytes).toString('base64'), signature }),
      });
      const answer = (await res.json()) as { error?: { code: string } };
      if (res.status !== 400 || answer.error?.code !== 'InvalidArgument')
        escaped.push(`envelope ${what}: ${res.status} ${answer.error?.code}`);
    }
    assert.ok(sent > 400, `only ${sent} malformed transactions were tried`);
    assert.deepEqual(escaped, [], `${escaped.length} of ${sent} malformed calls got through`);
    assert.deepEqual(await snapshot(t, chain), before);
  } finally {
    await t.close();
  }
});
