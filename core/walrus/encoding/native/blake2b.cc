#include "blake2b.h"

#include <algorithm>

namespace floe::blake2b {

namespace {

inline uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);  // Blake2b is little-endian, as are all the targets we build for.
  return v;
}

inline uint64_t rotr(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

void compress(uint64_t h[8], const uint8_t block[kBlockBytes], uint64_t counter, bool last) {
  uint64_t m[16], v[16];
  for (int i = 0; i < 16; i++) m[i] = load64(block + 8 * i);
  for (int i = 0; i < 8; i++) {
    v[i] = h[i];
    v[i + 8] = kIv[i];
  }
  v[12] ^= counter;  // The high counter word stays 0: messages are far below 2^64 bytes.
  if (last) v[14] = ~v[14];
  const auto g = [&v](int a, int b, int c, int d, uint64_t x, uint64_t y) {
    v[a] = v[a] + v[b] + x;
    v[d] = rotr(v[d] ^ v[a], 32);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 24);
    v[a] = v[a] + v[b] + y;
    v[d] = rotr(v[d] ^ v[a], 16);
    v[c] = v[c] + v[d];
    v[b] = rotr(v[b] ^ v[c], 63);
  };
  for (int r = 0; r < 12; r++) {
    const uint8_t* s = kSigma[r];
    g(0, 4, 8, 12, m[s[0]], m[s[1]]);
    g(1, 5, 9, 13, m[s[2]], m[s[3]]);
    g(2, 6, 10, 14, m[s[4]], m[s[5]]);
    g(3, 7, 11, 15, m[s[6]], m[s[7]]);
    g(0, 5, 10, 15, m[s[8]], m[s[9]]);
    g(1, 6, 11, 12, m[s[10]], m[s[11]]);
    g(2, 7, 8, 13, m[s[12]], m[s[13]]);
    g(3, 4, 9, 14, m[s[14]], m[s[15]]);
  }
  for (int i = 0; i < 8; i++) h[i] ^= v[i] ^ v[i + 8];
}

void hash_prefixed_one(uint8_t prefix, const uint8_t* message, size_t length, uint8_t* digest) {
  const PrefixedBlocks blocks{length};
  uint64_t h[8];
  for (int i = 0; i < 8; i++) h[i] = kIv[i];
  h[0] ^= kParam;
  uint8_t scratch[kBlockBytes];
  const size_t count = blocks.count();
  for (size_t b = 0; b < count; b++) {
    compress(h, blocks.block(prefix, message, b, scratch), blocks.counter(b), b + 1 == count);
  }
  std::memcpy(digest, h, kDigestBytes);
}

// Symbols of a few hundred bytes each sit in a different sliver (n = 1000: one per row), a
// pattern the hardware prefetchers do not follow; fetching the next eight while hashing
// these saved ~5% of an n = 1000, 64 MiB encode. Longer messages stream well without.
constexpr size_t kPrefetchedMessageBytes = 1024;

void prefetch_messages(const uint8_t* const* messages, size_t count, size_t length) {
#if defined(__GNUC__) || defined(__clang__)
  for (size_t m = 0; m < count; m++) {
    for (size_t offset = 0; offset < length; offset += 64) __builtin_prefetch(messages[m] + offset);
    __builtin_prefetch(messages[m] + length - 1);
  }
#else
  (void)messages;
  (void)count;
  (void)length;
#endif
}

}  // namespace

Hasher::Hasher() {
  for (int i = 0; i < 8; i++) h_[i] = kIv[i];
  h_[0] ^= kParam;
}

void Hasher::update(const uint8_t* data, size_t length) {
  while (length > 0) {
    // Keep the last block buffered: it must be compressed with the final flag.
    if (buffered_ == kBlockBytes) {
      counter_ += kBlockBytes;
      compress(h_, buffer_, counter_, false);
      buffered_ = 0;
    }
    const size_t take = length < kBlockBytes - buffered_ ? length : kBlockBytes - buffered_;
    std::memcpy(buffer_ + buffered_, data, take);
    buffered_ += take;
    data += take;
    length -= take;
  }
}

void Hasher::finish(uint8_t digest[kDigestBytes]) {
  counter_ += buffered_;
  std::memset(buffer_ + buffered_, 0, kBlockBytes - buffered_);
  compress(h_, buffer_, counter_, true);
  std::memcpy(digest, h_, kDigestBytes);
}

void hash_prefixed(uint8_t prefix, const uint8_t* const* messages, size_t count, size_t length,
                   uint8_t* digests, SimdLevel level) {
  size_t i = 0;
#if defined(__x86_64__) || defined(_M_X64)
  if (level == SimdLevel::kAvx512) {
    for (; i + 8 <= count; i += 8) {
      if (length > 0 && length <= kPrefetchedMessageBytes) {
        prefetch_messages(messages + i + 8, std::min<size_t>(8, count - i - 8), length);
      }
      hash_prefixed_x8_avx512(prefix, messages + i, length, digests + i * kDigestBytes);
    }
  }
  if (level == SimdLevel::kAvx512 || level == SimdLevel::kAvx2) {
    for (; i + 4 <= count; i += 4) {
      hash_prefixed_x4_avx2(prefix, messages + i, length, digests + i * kDigestBytes);
    }
  }
#else
  (void)level;
#endif
  for (; i < count; i++) hash_prefixed_one(prefix, messages[i], length, digests + i * kDigestBytes);
}

}  // namespace floe::blake2b
