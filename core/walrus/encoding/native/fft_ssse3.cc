// SSSE3 kernels: the nibble-table multiply of reed-solomon-simd on 128-bit vectors. A
// 64-byte chunk holds two groups of 16 elements: low bytes at offset h, high bytes at h + 32.
#include <cstring>

#include "fft_kernels.h"
#include "gf16.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("ssse3"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("ssse3")
#endif

#include "fft_loops.h"

namespace floe::rs {
namespace {

inline __m128i load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}
inline void store(uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

struct Ssse3Butterflies : PortableChunkCopies {
  static constexpr bool kTwoLayers = false;
  struct Lut {
    __m128i lo[4], hi[4];
  };
  static Lut lut(const gf16::Tables& t, uint16_t log_m) {
    const gf16::NibbleTables& n = t.nibbles[log_m];
    Lut l;
    for (int j = 0; j < 4; j++) {
      l.lo[j] = load(n.lo[j]);
      l.hi[j] = load(n.hi[j]);
    }
    return l;
  }

  // (p_lo, p_hi) = (v_lo, v_hi) * m, sixteen elements at once.
  static inline void mul(__m128i v_lo, __m128i v_hi, const Lut& l, __m128i* p_lo,
                         __m128i* p_hi) {
    const __m128i mask = _mm_set1_epi8(0x0f);
    __m128i d = _mm_and_si128(v_lo, mask);
    __m128i lo = _mm_shuffle_epi8(l.lo[0], d);
    __m128i hi = _mm_shuffle_epi8(l.hi[0], d);
    d = _mm_and_si128(_mm_srli_epi64(v_lo, 4), mask);
    lo = _mm_xor_si128(lo, _mm_shuffle_epi8(l.lo[1], d));
    hi = _mm_xor_si128(hi, _mm_shuffle_epi8(l.hi[1], d));
    d = _mm_and_si128(v_hi, mask);
    lo = _mm_xor_si128(lo, _mm_shuffle_epi8(l.lo[2], d));
    hi = _mm_xor_si128(hi, _mm_shuffle_epi8(l.hi[2], d));
    d = _mm_and_si128(_mm_srli_epi64(v_hi, 4), mask);
    *p_lo = _mm_xor_si128(lo, _mm_shuffle_epi8(l.lo[3], d));
    *p_hi = _mm_xor_si128(hi, _mm_shuffle_epi8(l.hi[3], d));
  }

  static void fft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t h = c; h < c + 32; h += 16) {
        const __m128i y_lo = load(y + h), y_hi = load(y + h + 32);
        __m128i p_lo, p_hi;
        mul(y_lo, y_hi, l, &p_lo, &p_hi);
        const __m128i x_lo = _mm_xor_si128(load(x + h), p_lo);
        const __m128i x_hi = _mm_xor_si128(load(x + h + 32), p_hi);
        store(x + h, x_lo);
        store(x + h + 32, x_hi);
        store(y + h, _mm_xor_si128(y_lo, x_lo));
        store(y + h + 32, _mm_xor_si128(y_hi, x_hi));
      }
    }
  }

  static void ifft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t h = c; h < c + 32; h += 16) {
        const __m128i x_lo = load(x + h), x_hi = load(x + h + 32);
        const __m128i y_lo = _mm_xor_si128(load(y + h), x_lo);
        const __m128i y_hi = _mm_xor_si128(load(y + h + 32), x_hi);
        store(y + h, y_lo);
        store(y + h + 32, y_hi);
        __m128i p_lo, p_hi;
        mul(y_lo, y_hi, l, &p_lo, &p_hi);
        store(x + h, _mm_xor_si128(x_lo, p_lo));
        store(x + h + 32, _mm_xor_si128(x_hi, p_hi));
      }
    }
  }

  static void xor_into(uint8_t* y, const uint8_t* x, size_t bytes) {
    for (size_t c = 0; c < bytes; c += 16) store(y + c, _mm_xor_si128(load(y + c), load(x + c)));
  }
};

}  // namespace

const FftKernels* ssse3_fft_kernels() { return make_kernels<Ssse3Butterflies>(); }

}  // namespace floe::rs

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#else

namespace floe::rs {
const FftKernels* ssse3_fft_kernels() { return nullptr; }
}  // namespace floe::rs

#endif
