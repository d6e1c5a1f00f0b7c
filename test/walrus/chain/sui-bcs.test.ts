/**
 * The Walrus object layouts of sui-bcs.ts, checked three ways: against bytes written out
 * field by field from the Move declarations, by round trip, and against the layouts
 * @mysten/walrus generates from the same package (read from its build, which the package
 * does not export, so this test reaches into node_modules on purpose).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { normalizeSuiAddress } from '@mysten/sui/utils';
import {
  Blob,
  MetadataField,
  Staking,
  StakingInnerField,
  StakingPool,
  System,
  SystemInnerField,
} from '../../../core/walrus/chain/sui-bcs.js';
import { addBlob, network, walrusWorld } from './sui-world.js';

const le = (value: bigint, bytes: number) => {
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
};
const address = (byte: number) => Buffer.alloc(32, byte);

test('a Blob is its fields in declaration order, the blob id a little-endian u256', () => {
  const bytes = Buffer.concat([
    address(0x11), // id: UID
    le(3n, 4), // registered_epoch: u32
    le(0xabcdefn, 32), // blob_id: u256
    le(1_000_000n, 8), // size: u64
    Buffer.from([1]), // encoding_type: u8
    Buffer.from([1]), // certified_epoch: Option<u32> = some
    le(4n, 4),
    address(0x22), // storage.id
    le(3n, 4), // storage.start_epoch
    le(56n, 4), // storage.end_epoch
    le(66_034_000n, 8), // storage.storage_size
    Buffer.from([1]), // deletable: bool
  ]);
  const blob = Blob.parse(bytes);
  assert.deepEqual(blob, {
    id: normalizeSuiAddress('11'.repeat(32)),
    registered_epoch: 3,
    blob_id: String(0xabcdefn),
    size: '1000000',
    encoding_type: 1,
    certified_epoch: 4,
    storage: {
      id: normalizeSuiAddress('22'.repeat(32)),
      start_epoch: 3,
      end_epoch: 56,
      storage_size: '66034000',
    },
    deletable: true,
  });
  assert.deepEqual(Buffer.from(Blob.serialize(blob).toBytes()), bytes);
});

test('an uncertified Blob has a zero byte where the certified epoch would be', () => {
  const bytes = Blob.serialize({
    id: normalizeSuiAddress('0x1'),
    registered_epoch: 1,
    blob_id: 1n,
    size: 1,
    encoding_type: 1,
    certified_epoch: null,
    storage: { id: normalizeSuiAddress('0x2'), start_epoch: 1, end_epoch: 2, storage_size: 1 },
    deletable: false,
  }).toBytes();
  // id, registered_epoch, blob_id, size, encoding_type, none, storage (id, epochs, size), deletable
  assert.equal(bytes.length, 32 + 4 + 32 + 8 + 1 + 1 + (32 + 4 + 4 + 8) + 1);
  assert.equal(bytes[32 + 4 + 32 + 8 + 1], 0);
});

test("a blob's attributes are a dynamic field holding a VecMap of strings", () => {
  const fieldId = normalizeSuiAddress('33'.repeat(32));
  const bytes = Buffer.concat([
    address(0x33), // Field.id
    Buffer.from([8]), // name: vector<u8>, ULEB128 length
    Buffer.from('metadata'),
    Buffer.from([2]), // VecMap.contents: two entries
    Buffer.from([3]),
    Buffer.from('app'),
    Buffer.from([4]),
    Buffer.from('floe'),
    Buffer.from([4]),
    Buffer.from('kind'),
    Buffer.from([4]),
    Buffer.from('pack'),
  ]);
  const field = MetadataField.parse(bytes);
  assert.equal(field.id, fieldId);
  assert.equal(Buffer.from(field.name).toString(), 'metadata');
  assert.deepEqual(field.value.metadata.contents, [
    { key: 'app', value: 'floe' },
    { key: 'kind', value: 'pack' },
  ]);
  assert.deepEqual(Buffer.from(MetadataField.serialize(field).toBytes()), bytes);
});

/** The objects of a small deployment, built with our layouts (see sui-world.ts). */
function worldBytes() {
  const world = walrusWorld();
  const owner = normalizeSuiAddress('0x0e');
  const blob = addBlob(world, {
    owner,
    blobId: 99n,
    size: 5,
    storageSize: 7,
    registeredEpoch: 7,
    certifiedEpoch: 7,
    endEpoch: 9,
    deletable: true,
  });
  const find = (suffix: string) =>
    [...world.sui.objects.values()].find((o) => o.type.endsWith(suffix))!.content;
  return {
    system: world.sui.objects.get(network.systemObjectId)!.content,
    staking: world.sui.objects.get(network.stakingObjectId)!.content,
    systemInner: find('::system_state_inner::SystemStateInnerV1>'),
    stakingInner: find('::staking_inner::StakingInnerV1>'),
    pool: world.sui.objects.get(world.nodeIds[0]!)!.content,
    blob: world.sui.objects.get(blob)!.content,
  };
}

test('every layout reads back what it wrote', () => {
  const b = worldBytes();
  const roundTrip = (
    layout: { parse(x: Uint8Array): unknown; serialize(v: never): { toBytes(): Uint8Array } },
    bytes: Uint8Array,
  ) => assert.deepEqual(layout.serialize(layout.parse(bytes) as never).toBytes(), bytes);
  roundTrip(System, b.system);
  roundTrip(Staking, b.staking);
  roundTrip(SystemInnerField, b.systemInner);
  roundTrip(StakingInnerField, b.stakingInner);
  roundTrip(StakingPool, b.pool);
  roundTrip(Blob, b.blob);
});

/** @mysten/walrus's generated layout of `module::Name`, from its build output. */
async function sdkLayout(module: string, name: string) {
  const entry = createRequire(import.meta.url).resolve('@mysten/walrus');
  const file = join(dirname(entry), 'contracts', 'walrus', `${module}.mjs`);
  const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  return exports[name] as {
    parse(bytes: Uint8Array): Record<string, any>;
    serialize(value: unknown): { toBytes(): Uint8Array };
  };
}

test('the layouts agree byte for byte with those @mysten/walrus generates from the package', async () => {
  const b = worldBytes();
  const sdk = {
    System: await sdkLayout('system', 'System'),
    Staking: await sdkLayout('staking', 'Staking'),
    SystemStateInnerV1: await sdkLayout('system_state_inner', 'SystemStateInnerV1'),
    StakingInnerV1: await sdkLayout('staking_inner', 'StakingInnerV1'),
    StakingPool: await sdkLayout('staking_pool', 'StakingPool'),
    Blob: await sdkLayout('blob', 'Blob'),
  };
  const same = (layout: (typeof sdk)[keyof typeof sdk], bytes: Uint8Array) => {
    const value = layout.parse(bytes);
    assert.deepEqual(layout.serialize(value).toBytes(), bytes);
    return value;
  };
  assert.equal(same(sdk.System, b.system).package_id, System.parse(b.system).package_id);
  same(sdk.Staking, b.staking);
  // The inner states sit after the dynamic field's id (32 bytes) and u64 key (8 bytes).
  const systemInner = same(sdk.SystemStateInnerV1, b.systemInner.subarray(40));
  assert.equal(systemInner.storage_price_per_unit_size, '100000');
  assert.equal(systemInner.future_accounting.length, 53);
  const stakingInner = same(sdk.StakingInnerV1, b.stakingInner.subarray(40));
  assert.equal(stakingInner.epoch_state.$kind, 'EpochChangeDone');
  const pool = same(sdk.StakingPool, b.pool);
  assert.equal(pool.node_info.network_address, 'alpha.example:9185');
  assert.equal(pool.wal_balance, '300');
  assert.equal(same(sdk.Blob, b.blob).blob_id, '99');
});
