#include "merkle.h"

#include <cstring>

#include "blake2b.h"

namespace floe::merkle {

void TreeBuilder::roots(const uint8_t* leaf_hashes, size_t trees, size_t width,
                        size_t tree_stride, uint8_t* roots, size_t root_stride) {
  if (width == 0) {
    // The empty tree's root is the empty node.
    for (size_t t = 0; t < trees; t++) std::memset(roots + t * root_stride, 0, kNodeBytes);
    return;
  }
  const uint8_t* current = leaf_hashes;
  std::vector<uint8_t>* next = &level_a_;
  while (width > 1) {
    const size_t whole = width / 2;
    const size_t parents = (width + 1) / 2;
    // Siblings are 64 contiguous bytes; a last node without one is copied beside an empty node.
    pairs_.resize(trees * parents);
    if (width % 2 == 1) odd_pairs_.assign(trees * 2 * kNodeBytes, 0);
    for (size_t t = 0; t < trees; t++) {
      const uint8_t* nodes = current + t * tree_stride;
      const uint8_t** pairs = pairs_.data() + t * parents;
      for (size_t i = 0; i < whole; i++) pairs[i] = nodes + 2 * i * kNodeBytes;
      if (width % 2 == 1) {
        uint8_t* odd = odd_pairs_.data() + t * 2 * kNodeBytes;
        std::memcpy(odd, nodes + (width - 1) * kNodeBytes, kNodeBytes);
        pairs[whole] = odd;
      }
    }
    next->resize(trees * parents * kNodeBytes);
    blake2b::hash_prefixed(kInnerPrefix, pairs_.data(), trees * parents, 2 * kNodeBytes,
                           next->data(), level_);
    current = next->data();
    tree_stride = parents * kNodeBytes;
    next = next == &level_a_ ? &level_b_ : &level_a_;
    width = parents;
  }
  for (size_t t = 0; t < trees; t++) {
    std::memcpy(roots + t * root_stride, current + t * tree_stride, kNodeBytes);
  }
}

namespace {
size_t levels_for(size_t leaves) {
  size_t levels = 1;
  for (size_t width = 1; width < leaves; width *= 2) levels++;
  return levels;
}
}  // namespace

FrontierSet::FrontierSet(size_t trees, size_t max_leaves, SimdLevel level)
    : trees_(trees),
      levels_(levels_for(max_leaves)),
      level_(level),
      pairs_(levels_ * trees * 2 * kNodeBytes),
      parents_(trees * kNodeBytes),
      messages_(trees) {}

void FrontierSet::hash_level(size_t level, uint8_t* out) {
  for (size_t t = 0; t < trees_; t++) messages_[t] = pair(level, t);
  blake2b::hash_prefixed(kInnerPrefix, messages_.data(), trees_, 2 * kNodeBytes, out, level_);
}

void FrontierSet::append(const uint8_t* leaves, size_t stride) {
  const uint8_t* incoming = leaves;  // the node arriving at level j, for every tree
  size_t incoming_stride = stride;
  for (size_t j = 0; j < levels_; j++) {
    const size_t slot = waiting_[j] ? kNodeBytes : 0;
    for (size_t t = 0; t < trees_; t++) {
      std::memcpy(pair(j, t) + slot, incoming + t * incoming_stride, kNodeBytes);
    }
    if (!waiting_[j]) {
      waiting_[j] = true;
      return;
    }
    waiting_[j] = false;
    hash_level(j, parents_.data());
    incoming = parents_.data();
    incoming_stride = kNodeBytes;
  }
}

void FrontierSet::finish(uint8_t* roots, size_t root_stride) {
  size_t highest = levels_;  // the highest level with a waiting node
  for (size_t j = 0; j < levels_; j++) {
    if (waiting_[j]) highest = j;
  }
  if (highest == levels_) {
    // No leaves: the empty tree's root is the empty node.
    for (size_t t = 0; t < trees_; t++) std::memset(roots + t * root_stride, 0, kNodeBytes);
    return;
  }
  bool carrying = false;  // parents_ holds, for every tree, a node of level j from below
  for (size_t j = 0; j < levels_; j++) {
    if (!waiting_[j] && !carrying) continue;
    if (waiting_[j] && carrying) {
      // The waiting left node meets its right sibling.
      for (size_t t = 0; t < trees_; t++) {
        std::memcpy(pair(j, t) + kNodeBytes, parents_.data() + t * kNodeBytes, kNodeBytes);
      }
    } else if (j >= highest) {
      // One node at this level and none above: the root.
      for (size_t t = 0; t < trees_; t++) {
        const uint8_t* root = carrying ? parents_.data() + t * kNodeBytes : pair(j, t);
        std::memcpy(roots + t * root_stride, root, kNodeBytes);
      }
      return;
    } else {
      // A node alone at the end of its level is paired with the empty node.
      for (size_t t = 0; t < trees_; t++) {
        uint8_t* p = pair(j, t);
        if (carrying) std::memcpy(p, parents_.data() + t * kNodeBytes, kNodeBytes);
        std::memset(p + kNodeBytes, 0, kNodeBytes);
      }
    }
    waiting_[j] = false;
    hash_level(j, parents_.data());
    carrying = true;
  }
}

}  // namespace floe::merkle
