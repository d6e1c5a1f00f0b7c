// Blake2b-256 (RFC 7693), unkeyed, the hash of Walrus's Merkle trees and blob ids. Beside
// the one-message hasher, `hash_prefixed` hashes many equal-length messages at once in
// SIMD lanes: an RS2 encoding hashes n^2 symbols and about 2n^2 inner nodes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "cpu_features.h"

namespace floe::blake2b {

inline constexpr size_t kDigestBytes = 32;
inline constexpr size_t kBlockBytes = 128;

inline constexpr uint64_t kIv[8] = {0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL,
                                    0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
                                    0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL,
                                    0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
// Parameter block for a 32-byte digest without key: digest length, fanout 1, depth 1.
inline constexpr uint64_t kParam = 0x01010000ULL | kDigestBytes;

inline constexpr uint8_t kSigma[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
};

class Hasher {
 public:
  Hasher();
  void update(const uint8_t* data, size_t length);
  void finish(uint8_t digest[kDigestBytes]);

 private:
  uint64_t h_[8];
  uint64_t counter_ = 0;
  uint8_t buffer_[kBlockBytes];
  size_t buffered_ = 0;
};

// The blocks of the message `prefix || bytes[0..length)`, the shape of Walrus's leaf
// (prefix 0) and inner-node (prefix 1) hashes. Full blocks are read in place; the first
// block and a short last one are assembled in `scratch`.
struct PrefixedBlocks {
  size_t length;  // bytes after the prefix
  size_t total() const { return length + 1; }
  size_t count() const { return total() <= kBlockBytes ? 1 : (total() + kBlockBytes - 1) / kBlockBytes; }
  // Bytes hashed once block b is compressed: the Blake2b counter.
  uint64_t counter(size_t b) const {
    return b + 1 == count() ? total() : static_cast<uint64_t>(kBlockBytes) * (b + 1);
  }
  const uint8_t* block(uint8_t prefix, const uint8_t* bytes, size_t b, uint8_t* scratch) const {
    if (b == 0) {
      scratch[0] = prefix;
      if (length >= kBlockBytes - 1) {
        std::memcpy(scratch + 1, bytes, kBlockBytes - 1);  // fixed size: a few vector moves
      } else {
        std::memset(scratch, 0, kBlockBytes);
        scratch[0] = prefix;
        std::memcpy(scratch + 1, bytes, length);
      }
      return scratch;
    }
    const size_t offset = b * kBlockBytes - 1;
    const size_t available = length - offset;
    if (available >= kBlockBytes) return bytes + offset;
    std::memset(scratch, 0, kBlockBytes);
    std::memcpy(scratch, bytes + offset, available);
    return scratch;
  }
};

// digests[32 i ..] = Blake2b-256(prefix || messages[i][0..length)) for i < count.
void hash_prefixed(uint8_t prefix, const uint8_t* const* messages, size_t count, size_t length,
                   uint8_t* digests, SimdLevel level);

// Lane implementations, each hashing exactly its lane count of messages.
void hash_prefixed_x4_avx2(uint8_t prefix, const uint8_t* const* messages, size_t length,
                           uint8_t* digests);
void hash_prefixed_x8_avx512(uint8_t prefix, const uint8_t* const* messages, size_t length,
                             uint8_t* digests);

}  // namespace floe::blake2b
