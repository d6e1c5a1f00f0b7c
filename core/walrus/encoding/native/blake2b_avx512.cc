// Blake2b-256 of eight equal-length messages at once: each 512-bit register holds one state
// word of all eight lanes; AVX-512's 32 registers fit the 16 state and 16 message words and
// its rotate instruction does each rotation in one step.
#include "blake2b.h"

#include <utility>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own _mm512_undefined
// placeholders (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw")
#endif

namespace floe::blake2b {
namespace {

FLOE_ALWAYS_INLINE __m512i set1(uint64_t x) { return _mm512_set1_epi64(static_cast<long long>(x)); }

FLOE_ALWAYS_INLINE void g(__m512i* v, int a, int b, int c, int d, __m512i x, __m512i y) {
  v[a] = _mm512_add_epi64(_mm512_add_epi64(v[a], v[b]), x);
  v[d] = _mm512_ror_epi64(_mm512_xor_si512(v[d], v[a]), 32);
  v[c] = _mm512_add_epi64(v[c], v[d]);
  v[b] = _mm512_ror_epi64(_mm512_xor_si512(v[b], v[c]), 24);
  v[a] = _mm512_add_epi64(_mm512_add_epi64(v[a], v[b]), y);
  v[d] = _mm512_ror_epi64(_mm512_xor_si512(v[d], v[a]), 16);
  v[c] = _mm512_add_epi64(v[c], v[d]);
  v[b] = _mm512_ror_epi64(_mm512_xor_si512(v[b], v[c]), 63);
}

// Columns of an 8x8 matrix of 64-bit words given as rows r[0..8): col[w] = word w of each row.
FLOE_ALWAYS_INLINE void transpose8(const __m512i r[8], __m512i col[8]) {
  __m512i t[8], u[8];
  for (int i = 0; i < 4; i++) {
    t[2 * i] = _mm512_unpacklo_epi64(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi64(r[2 * i], r[2 * i + 1]);
  }
  // u[0..4) from rows 0-3, u[4..8) from rows 4-7; 0x88 takes 128-bit lanes 0 and 2, 0xdd 1 and 3.
  for (int half = 0; half < 2; half++) {
    const __m512i* tt = t + 4 * half;
    __m512i* uu = u + 4 * half;
    uu[0] = _mm512_shuffle_i64x2(tt[0], tt[2], 0x88);  // words 0, 4
    uu[1] = _mm512_shuffle_i64x2(tt[0], tt[2], 0xdd);  // words 2, 6
    uu[2] = _mm512_shuffle_i64x2(tt[1], tt[3], 0x88);  // words 1, 5
    uu[3] = _mm512_shuffle_i64x2(tt[1], tt[3], 0xdd);  // words 3, 7
  }
  col[0] = _mm512_shuffle_i64x2(u[0], u[4], 0x88);
  col[4] = _mm512_shuffle_i64x2(u[0], u[4], 0xdd);
  col[2] = _mm512_shuffle_i64x2(u[1], u[5], 0x88);
  col[6] = _mm512_shuffle_i64x2(u[1], u[5], 0xdd);
  col[1] = _mm512_shuffle_i64x2(u[2], u[6], 0x88);
  col[5] = _mm512_shuffle_i64x2(u[2], u[6], 0xdd);
  col[3] = _mm512_shuffle_i64x2(u[3], u[7], 0x88);
  col[7] = _mm512_shuffle_i64x2(u[3], u[7], 0xdd);
}

// One round with its message schedule known at compile time, so that each message word
// is a fixed stack slot and the 16 state words can stay in registers.
template <int R>
FLOE_ALWAYS_INLINE void round(__m512i* v, const __m512i* m) {
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
FLOE_ALWAYS_INLINE void rounds(__m512i* v, const __m512i* m, std::integer_sequence<int, R...>) {
  (round<R>(v, m), ...);
}

void compress(__m512i h[8], const __m512i m[16], uint64_t counter, bool last) {
  __m512i v[16];
  for (int i = 0; i < 8; i++) {
    v[i] = h[i];
    v[i + 8] = set1(kIv[i]);
  }
  v[12] = _mm512_xor_si512(v[12], set1(counter));
  if (last) v[14] = _mm512_xor_si512(v[14], set1(~0ULL));
  rounds(v, m, std::make_integer_sequence<int, 12>());
  for (int i = 0; i < 8; i++) h[i] = _mm512_xor_si512(h[i], _mm512_xor_si512(v[i], v[i + 8]));
}

}  // namespace

void hash_prefixed_x8_avx512(uint8_t prefix, const uint8_t* const* messages, size_t length,
                             uint8_t* digests) {
  const PrefixedBlocks blocks{length};
  __m512i h[8];
  for (int i = 0; i < 8; i++) h[i] = set1(kIv[i]);
  h[0] = _mm512_xor_si512(h[0], set1(kParam));
  const size_t count = blocks.count();
  for (size_t b = 0; b < count; b++) {
    // Masked loads read each lane's block in place, zero-filled past the message end and
    // with byte 0 of the first block left for the prefix: masked-off bytes are never
    // touched, so reading "from" the byte before the message is safe.
    const size_t offset = b * kBlockBytes;  // of the block in prefix || message
    const size_t available = blocks.total() - offset;
    __mmask64 low_mask = available >= 64 ? ~0ULL : (1ULL << available) - 1;
    const __mmask64 high_mask =
        available >= 128 ? ~0ULL : available > 64 ? (1ULL << (available - 64)) - 1 : 0;
    if (b == 0) low_mask &= ~1ULL;
    const __m512i prefix_byte =
        b == 0 ? _mm512_maskz_set1_epi8(1, static_cast<char>(prefix)) : _mm512_setzero_si512();
    __m512i low[8], high[8], m[16];
    if (b > 0 && available >= kBlockBytes) {
      for (int l = 0; l < 8; l++) {
        const uint8_t* block = messages[l] + offset - 1;
        low[l] = _mm512_loadu_si512(block);
        high[l] = _mm512_loadu_si512(block + 64);
      }
    } else {
      for (int l = 0; l < 8; l++) {
        const uint8_t* block = reinterpret_cast<const uint8_t*>(
            reinterpret_cast<uintptr_t>(messages[l]) + offset - 1);
        low[l] = _mm512_or_si512(_mm512_maskz_loadu_epi8(low_mask, block), prefix_byte);
        high[l] = _mm512_maskz_loadu_epi8(high_mask, block + 64);
      }
    }
    transpose8(low, m);
    transpose8(high, m + 8);
    compress(h, m, blocks.counter(b), b + 1 == count);
  }
  alignas(64) uint64_t words[4][8];
  for (int i = 0; i < 4; i++) _mm512_store_si512(words[i], h[i]);
  for (int l = 0; l < 8; l++) {
    for (int i = 0; i < 4; i++) std::memcpy(digests + 32 * l + 8 * i, &words[i][l], 8);
  }
}

}  // namespace floe::blake2b

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

#endif
