// Walrus's Merkle tree (walrus-core `merkle.rs`, as merkle.ts): Blake2b-256, leaves hashed
// with a 0x00 prefix and inner nodes with 0x01, a level of odd width padded with the
// all-zero "empty" node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "cpu_features.h"

namespace floe::merkle {

inline constexpr uint8_t kLeafPrefix = 0;
inline constexpr uint8_t kInnerPrefix = 1;
inline constexpr size_t kNodeBytes = 32;

// Builds the roots of many trees of the same width together, level by level, so that
// inner nodes are hashed in full SIMD lanes; keeps its buffers between calls.
class TreeBuilder {
 public:
  explicit TreeBuilder(SimdLevel level) : level_(level) {}
  // Tree t has `width` leaf hashes, contiguous, from leaf_hashes + t * tree_stride; its
  // root goes to roots + t * root_stride.
  void roots(const uint8_t* leaf_hashes, size_t trees, size_t width, size_t tree_stride,
             uint8_t* roots, size_t root_stride);

 private:
  SimdLevel level_;
  std::vector<uint8_t> level_a_, level_b_, odd_pairs_;
  std::vector<const uint8_t*> pairs_;
};

// Many trees of the same width built leaf by leaf, all in step: each keeps only its
// frontier (at most one node a level waiting for its right sibling), so n trees of n
// leaves need n log n nodes of memory instead of n^2 leaf hashes. The roots equal
// TreeBuilder's: a node left alone at the end of a level is paired with the empty node.
class FrontierSet {
 public:
  // For trees of at most `max_leaves` leaves.
  FrontierSet(size_t trees, size_t max_leaves, SimdLevel level);
  // Appends one leaf hash to every tree: tree t's at leaves + t * stride.
  void append(const uint8_t* leaves, size_t stride);
  // Writes the root of tree t to roots + t * root_stride.
  void finish(uint8_t* roots, size_t root_stride);

 private:
  // Level j of tree t: 64 bytes, the waiting left node then room for its right sibling.
  uint8_t* pair(size_t level, size_t tree) {
    return pairs_.data() + (level * trees_ + tree) * 2 * kNodeBytes;
  }
  // Hashes every tree's pair at `level` into `out` (trees x 32 bytes).
  void hash_level(size_t level, uint8_t* out);

  static constexpr size_t kMaxLevels = 64;
  size_t trees_;
  size_t levels_;  // levels a tree of max_leaves leaves has
  SimdLevel level_;
  std::vector<uint8_t> pairs_;
  std::vector<uint8_t> parents_;
  std::vector<const uint8_t*> messages_;
  bool waiting_[kMaxLevels] = {};
};

}  // namespace floe::merkle
