// AVX2 kernels: the nibble-table multiply of reed-solomon-simd on 256-bit vectors; a 64-byte
// chunk is exactly one (low bytes, high bytes) register pair of 32 elements.
#include <cstring>

#include "fft_kernels.h"
#include "gf16.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2")
#endif

#include "fft_loops.h"

namespace floe::rs {
namespace {

inline __m256i load(const uint8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}
inline void store(uint8_t* p, __m256i v) {
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), v);
}

struct Avx2Butterflies : PortableChunkCopies {
  static constexpr bool kTwoLayers = true;
  struct Lut {
    __m256i lo[4], hi[4];
  };
  static Lut lut(const gf16::Tables& t, uint16_t log_m) {
    const gf16::NibbleTables& n = t.nibbles[log_m];
    Lut l;
    for (int j = 0; j < 4; j++) {
      l.lo[j] = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(n.lo[j])));
      l.hi[j] = _mm256_broadcastsi128_si256(_mm_load_si128(reinterpret_cast<const __m128i*>(n.hi[j])));
    }
    return l;
  }

  static inline void mul(__m256i v_lo, __m256i v_hi, const Lut& l, __m256i* p_lo,
                         __m256i* p_hi) {
    const __m256i mask = _mm256_set1_epi8(0x0f);
    __m256i d = _mm256_and_si256(v_lo, mask);
    __m256i lo = _mm256_shuffle_epi8(l.lo[0], d);
    __m256i hi = _mm256_shuffle_epi8(l.hi[0], d);
    d = _mm256_and_si256(_mm256_srli_epi64(v_lo, 4), mask);
    lo = _mm256_xor_si256(lo, _mm256_shuffle_epi8(l.lo[1], d));
    hi = _mm256_xor_si256(hi, _mm256_shuffle_epi8(l.hi[1], d));
    d = _mm256_and_si256(v_hi, mask);
    lo = _mm256_xor_si256(lo, _mm256_shuffle_epi8(l.lo[2], d));
    hi = _mm256_xor_si256(hi, _mm256_shuffle_epi8(l.hi[2], d));
    d = _mm256_and_si256(_mm256_srli_epi64(v_hi, 4), mask);
    *p_lo = _mm256_xor_si256(lo, _mm256_shuffle_epi8(l.lo[3], d));
    *p_hi = _mm256_xor_si256(hi, _mm256_shuffle_epi8(l.hi[3], d));
  }

  static void fft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      const __m256i y_lo = load(y + c), y_hi = load(y + c + 32);
      __m256i p_lo, p_hi;
      mul(y_lo, y_hi, l, &p_lo, &p_hi);
      const __m256i x_lo = _mm256_xor_si256(load(x + c), p_lo);
      const __m256i x_hi = _mm256_xor_si256(load(x + c + 32), p_hi);
      store(x + c, x_lo);
      store(x + c + 32, x_hi);
      store(y + c, _mm256_xor_si256(y_lo, x_lo));
      store(y + c + 32, _mm256_xor_si256(y_hi, x_hi));
    }
  }

  static void ifft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      const __m256i x_lo = load(x + c), x_hi = load(x + c + 32);
      const __m256i y_lo = _mm256_xor_si256(load(y + c), x_lo);
      const __m256i y_hi = _mm256_xor_si256(load(y + c + 32), x_hi);
      store(y + c, y_lo);
      store(y + c + 32, y_hi);
      __m256i p_lo, p_hi;
      mul(y_lo, y_hi, l, &p_lo, &p_hi);
      store(x + c, _mm256_xor_si256(x_lo, p_lo));
      store(x + c + 32, _mm256_xor_si256(x_hi, p_hi));
    }
  }

  // x ^= y * m for one chunk held in registers.
  static inline void mul_add(__m256i* x_lo, __m256i* x_hi, __m256i y_lo, __m256i y_hi,
                             const Lut& l) {
    __m256i p_lo, p_hi;
    mul(y_lo, y_hi, l, &p_lo, &p_hi);
    *x_lo = _mm256_xor_si256(*x_lo, p_lo);
    *x_hi = _mm256_xor_si256(*x_hi, p_hi);
  }

  // Rows r0..r3 at distance d: layer 2d on (r0, r2), (r1, r3), then layer d on (r0, r1), (r2, r3).
  static void fft2(uint8_t* r0, uint8_t* r1, uint8_t* r2, uint8_t* r3, size_t bytes,
                   const Lut& l01, const Lut& l23, const Lut& l02) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      __m256i a0 = load(r0 + c), b0 = load(r0 + c + 32), a1 = load(r1 + c), b1 = load(r1 + c + 32);
      __m256i a2 = load(r2 + c), b2 = load(r2 + c + 32), a3 = load(r3 + c), b3 = load(r3 + c + 32);
      mul_add(&a0, &b0, a2, b2, l02);
      a2 = _mm256_xor_si256(a2, a0);
      b2 = _mm256_xor_si256(b2, b0);
      mul_add(&a1, &b1, a3, b3, l02);
      a3 = _mm256_xor_si256(a3, a1);
      b3 = _mm256_xor_si256(b3, b1);
      mul_add(&a0, &b0, a1, b1, l01);
      a1 = _mm256_xor_si256(a1, a0);
      b1 = _mm256_xor_si256(b1, b0);
      mul_add(&a2, &b2, a3, b3, l23);
      a3 = _mm256_xor_si256(a3, a2);
      b3 = _mm256_xor_si256(b3, b2);
      store(r0 + c, a0), store(r0 + c + 32, b0), store(r1 + c, a1), store(r1 + c + 32, b1);
      store(r2 + c, a2), store(r2 + c + 32, b2), store(r3 + c, a3), store(r3 + c + 32, b3);
    }
  }

  // The inverse: layer d on (r0, r1), (r2, r3), then layer 2d on (r0, r2), (r1, r3).
  static void ifft2(uint8_t* r0, uint8_t* r1, uint8_t* r2, uint8_t* r3, size_t bytes,
                    const Lut& l01, const Lut& l23, const Lut& l02) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      __m256i a0 = load(r0 + c), b0 = load(r0 + c + 32), a1 = load(r1 + c), b1 = load(r1 + c + 32);
      __m256i a2 = load(r2 + c), b2 = load(r2 + c + 32), a3 = load(r3 + c), b3 = load(r3 + c + 32);
      a1 = _mm256_xor_si256(a1, a0);
      b1 = _mm256_xor_si256(b1, b0);
      mul_add(&a0, &b0, a1, b1, l01);
      a3 = _mm256_xor_si256(a3, a2);
      b3 = _mm256_xor_si256(b3, b2);
      mul_add(&a2, &b2, a3, b3, l23);
      a2 = _mm256_xor_si256(a2, a0);
      b2 = _mm256_xor_si256(b2, b0);
      mul_add(&a0, &b0, a2, b2, l02);
      a3 = _mm256_xor_si256(a3, a1);
      b3 = _mm256_xor_si256(b3, b1);
      mul_add(&a1, &b1, a3, b3, l02);
      store(r0 + c, a0), store(r0 + c + 32, b0), store(r1 + c, a1), store(r1 + c + 32, b1);
      store(r2 + c, a2), store(r2 + c + 32, b2), store(r3 + c, a3), store(r3 + c + 32, b3);
    }
  }

  static void xor_into(uint8_t* y, const uint8_t* x, size_t bytes) {
    for (size_t c = 0; c < bytes; c += 32) store(y + c, _mm256_xor_si256(load(y + c), load(x + c)));
  }
};

}  // namespace

const FftKernels* avx2_fft_kernels() { return make_kernels<Avx2Butterflies>(); }

}  // namespace floe::rs

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC pop_options
#endif

#else

namespace floe::rs {
const FftKernels* avx2_fft_kernels() { return nullptr; }
}  // namespace floe::rs

#endif
