#include "sliver_root.h"

#include <vector>

#include "blake2b.h"
#include "merkle.h"
#include "reed_solomon.h"

namespace floe::rs2 {

void sliver_root(uint32_t n_shards, size_t source_count, size_t symbol_size,
                 const uint8_t* symbols, uint8_t root[32], SimdLevel level) {
  const size_t repair_count = n_shards - source_count;
  std::vector<uint8_t> repair(repair_count * symbol_size);
  std::vector<uint8_t*> repair_symbols(repair_count);
  for (size_t j = 0; j < repair_count; j++) repair_symbols[j] = repair.data() + j * symbol_size;
  rs::RecoveryEncoder encoder(source_count, repair_count, symbol_size, level);
  encoder.encode(1, &symbols, repair_symbols.data());

  std::vector<const uint8_t*> leaves(n_shards);
  for (size_t i = 0; i < source_count; i++) leaves[i] = symbols + i * symbol_size;
  for (size_t j = 0; j < repair_count; j++) leaves[source_count + j] = repair_symbols[j];
  std::vector<uint8_t> leaf_hashes(n_shards * merkle::kNodeBytes);
  blake2b::hash_prefixed(merkle::kLeafPrefix, leaves.data(), n_shards, symbol_size,
                         leaf_hashes.data(), level);
  merkle::TreeBuilder(level).roots(leaf_hashes.data(), 1, n_shards, 0, root, 0);
}

}  // namespace floe::rs2
