// Blake2b-256 of four equal-length messages at once: each 256-bit register holds one state
// word of all four lanes. Messages are transposed block by block into that layout.
#include "blake2b.h"

#include <utility>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

namespace floe::blake2b {
namespace {

FLOE_ALWAYS_INLINE __m256i set1(uint64_t x) { return _mm256_set1_epi64x(static_cast<long long>(x)); }

FLOE_ALWAYS_INLINE __m256i rotr32(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
FLOE_ALWAYS_INLINE __m256i rotr24(__m256i x) {
  const __m256i r = _mm256_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10, 3, 4,
                                     5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
  return _mm256_shuffle_epi8(x, r);
}
FLOE_ALWAYS_INLINE __m256i rotr16(__m256i x) {
  const __m256i r = _mm256_setr_epi8(2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9, 2, 3,
                                     4, 5, 6, 7, 0, 1, 10, 11, 12, 13, 14, 15, 8, 9);
  return _mm256_shuffle_epi8(x, r);
}
FLOE_ALWAYS_INLINE __m256i rotr63(__m256i x) {
  return _mm256_or_si256(_mm256_srli_epi64(x, 63), _mm256_add_epi64(x, x));
}

FLOE_ALWAYS_INLINE void g(__m256i* v, int a, int b, int c, int d, __m256i x, __m256i y) {
  v[a] = _mm256_add_epi64(_mm256_add_epi64(v[a], v[b]), x);
  v[d] = rotr32(_mm256_xor_si256(v[d], v[a]));
  v[c] = _mm256_add_epi64(v[c], v[d]);
  v[b] = rotr24(_mm256_xor_si256(v[b], v[c]));
  v[a] = _mm256_add_epi64(_mm256_add_epi64(v[a], v[b]), y);
  v[d] = rotr16(_mm256_xor_si256(v[d], v[a]));
  v[c] = _mm256_add_epi64(v[c], v[d]);
  v[b] = rotr63(_mm256_xor_si256(v[b], v[c]));
}

// m[w] = word w of the four blocks, lane l from block l: 4x4 transposes of 64-bit words.
FLOE_ALWAYS_INLINE void load_transposed(const uint8_t* const blocks[4], __m256i m[16]) {
  for (int w = 0; w < 16; w += 4) {
    const __m256i a0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[0] + 8 * w));
    const __m256i a1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[1] + 8 * w));
    const __m256i a2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[2] + 8 * w));
    const __m256i a3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks[3] + 8 * w));
    const __m256i t0 = _mm256_unpacklo_epi64(a0, a1);
    const __m256i t1 = _mm256_unpackhi_epi64(a0, a1);
    const __m256i t2 = _mm256_unpacklo_epi64(a2, a3);
    const __m256i t3 = _mm256_unpackhi_epi64(a2, a3);
    m[w + 0] = _mm256_permute2x128_si256(t0, t2, 0x20);
    m[w + 1] = _mm256_permute2x128_si256(t1, t3, 0x20);
    m[w + 2] = _mm256_permute2x128_si256(t0, t2, 0x31);
    m[w + 3] = _mm256_permute2x128_si256(t1, t3, 0x31);
  }
}

// One round with its message schedule known at compile time, so that each message word
// is a fixed stack slot and the 16 state words can stay in registers.
template <int R>
FLOE_ALWAYS_INLINE void round(__m256i* v, const __m256i* m) {
  constexpr const uint8_t* s = kSigma[R];
  g(v, 0, 4, 8, 12, m[s[0]], m[s[1]]);
  g(v, 1, 5, 9, 13, m[s[2]], m[s[3]]);
  g(v, 2, 6, 10, 14, m[s[4]], m[s[5]]);
  g(v, 3, 7, 11, 15, m[s[6]], m[s[7]]);
  g(v, 0, 5, 10, 15, m[s[8]], m[s[9]]);
  g(v, 1, 6, 11, 12, m[s[10]], m[s[11]]);
  g(v, 2, 7, 8, 13, m[s[12]], m[s[13]]);
  g(v, 3, 4, 9, 14, m[s[14]], m[s[15]]);
}

template <int... R>
FLOE_ALWAYS_INLINE void rounds(__m256i* v, const __m256i* m, std::integer_sequence<int, R...>) {
  (round<R>(v, m), ...);
}

void compress(__m256i h[8], const __m256i m[16], uint64_t counter, bool last) {
  __m256i v[16];
  for (int i = 0; i < 8; i++) {
    v[i] = h[i];
    v[i + 8] = set1(kIv[i]);
  }
  v[12] = _mm256_xor_si256(v[12], set1(counter));
  if (last) v[14] = _mm256_xor_si256(v[14], set1(~0ULL));
  rounds(v, m, std::make_integer_sequence<int, 12>());
  for (int i = 0; i < 8; i++) h[i] = _mm256_xor_si256(h[i], _mm256_xor_si256(v[i], v[i + 8]));
}

}  // namespace

void hash_prefixed_x4_avx2(uint8_t prefix, const uint8_t* const* messages, size_t length,
                           uint8_t* digests) {
  const PrefixedBlocks blocks{length};
  __m256i h[8];
  for (int i = 0; i < 8; i++) h[i] = set1(kIv[i]);
  h[0] = _mm256_xor_si256(h[0], set1(kParam));
  alignas(32) uint8_t scratch[4][kBlockBytes];
  const size_t count = blocks.count();
  for (size_t b = 0; b < count; b++) {
    const uint8_t* block[4];
    for (int l = 0; l < 4; l++) block[l] = blocks.block(prefix, messages[l], b, scratch[l]);
    __m256i m[16];
    load_transposed(block, m);
    compress(h, m, blocks.counter(b), b + 1 == count);
  }
  alignas(32) uint64_t words[4][4];
  for (int i = 0; i < 4; i++) _mm256_store_si256(reinterpret_cast<__m256i*>(words[i]), h[i]);
  for (int l = 0; l < 4; l++) {
    for (int i = 0; i < 4; i++) std::memcpy(digests + 32 * l + 8 * i, &words[i][l], 8);
  }
}

}  // namespace floe::blake2b

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#endif
