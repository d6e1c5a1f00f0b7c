// The hash a blob's metadata holds for one sliver: the Merkle root over all n symbols of
// its row (primary) or column (secondary) of the expanded matrix — its own source symbols
// followed by their Reed–Solomon repair symbols. Storage nodes check every sliver they
// receive, and readers every sliver they fetch, by recomputing it (walrus-core
// `SliverData::get_merkle_root`).
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu_features.h"

namespace floe::rs2 {

// `symbols` holds the sliver's `source_count` symbols of `symbol_size` bytes (even, at
// most kMaxSymbolSize), one after the other; source_count < n_shards.
void sliver_root(uint32_t n_shards, size_t source_count, size_t symbol_size,
                 const uint8_t* symbols, uint8_t root[32], SimdLevel level);

}  // namespace floe::rs2
