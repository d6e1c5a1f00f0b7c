// Walrus's RS2 encoding of a whole blob (walrus-core `blob_encoding.rs`,
// `encode_with_metadata`), writing the BCS `SliverData` of every sliver straight into
// buffers the caller allocated, so the encoded slivers are the only large allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cpu_features.h"

namespace floe::rs2 {

inline constexpr uint8_t kEncodingType = 1;  // RS2's BCS tag
inline constexpr size_t kMaxSymbolSize = 65534;
inline constexpr size_t kDigestBytes = 32;

// The shape of one blob's encoding, as config.ts computes it.
struct BlobLayout {
  uint32_t n_shards;
  uint32_t rows;     // n - 2f: primary source symbols, the message matrix's rows
  uint32_t columns;  // n - f: secondary source symbols, its columns
  size_t symbol_size;
  size_t primary_bcs_bytes;    // BCS SliverData of a primary sliver (a row: columns symbols)
  size_t secondary_bcs_bytes;  // BCS SliverData of a secondary sliver (a column: rows symbols)
};

// False with `error` set when n is out of range or the blob too large for n shards.
bool plan_blob(uint32_t n_shards, uint64_t blob_length, BlobLayout* layout, std::string* error);

struct EncodedBlobBuffers {
  uint8_t* const* primary;    // n buffers of primary_bcs_bytes, by sliver pair index
  uint8_t* const* secondary;  // n buffers of secondary_bcs_bytes, by sliver pair index
  uint8_t* pair_hashes;       // n x 64 bytes: each pair's primary then secondary sliver hash
  uint8_t* root_hash;         // 32 bytes: Merkle root over the pair hashes
  uint8_t* blob_id;           // 32 bytes
};

void encode_blob(const BlobLayout& layout, const uint8_t* blob, size_t blob_length,
                 const EncodedBlobBuffers& out, SimdLevel level);

}  // namespace floe::rs2
