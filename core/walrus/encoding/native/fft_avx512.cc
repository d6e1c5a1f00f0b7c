// AVX-512 + GFNI kernels. A 64-byte chunk is one zmm register: low bytes in its lower half,
// high bytes in its upper half. Multiplying by a constant is a 16x16 bit matrix over
// GF(2), i.e. four 8x8 blocks, which GFNI's affine instruction applies to every byte:
//   [lo' | hi'] = affine([lo | hi], [ll | hh]) ^ affine([hi | lo], [lh | hl])
// Two affine ops and a half swap replace the eight table lookups of the pshufb method.
#include <cstring>

#include "fft_kernels.h"
#include "gf16.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,gfni"))), \
                             apply_to = function)
#elif defined(__GNUC__)
#pragma GCC push_options
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own _mm512_undefined
// placeholders (GCC bug 105593, fixed in 13).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512vl,gfni")
#endif

#include "fft_loops.h"

namespace floe::rs {
namespace {

inline __m512i load(const uint8_t* p) { return _mm512_loadu_si512(p); }
inline void store(uint8_t* p, __m512i v) { _mm512_storeu_si512(p, v); }

// One matrix broadcast over the lower half of a register, another over the upper half.
inline __m512i halves(uint64_t low, uint64_t high) {
  return _mm512_inserti64x4(_mm512_set1_epi64(static_cast<long long>(low)),
                            _mm256_set1_epi64x(static_cast<long long>(high)), 1);
}

struct Avx512Butterflies {
  static constexpr bool kTwoLayers = true;
  struct Lut {
    __m512i same, swapped;
  };
  static Lut lut(const gf16::Tables&, uint16_t log_m) {
    static const gf16::AffineMatrices* const matrices = gf16::affine_matrices();
    const gf16::AffineMatrices& a = matrices[log_m];
    return {halves(a.ll, a.hh), halves(a.lh, a.hl)};
  }

  static inline __m512i mul(__m512i v, const Lut& l) {
    const __m512i swapped = _mm512_shuffle_i64x2(v, v, 0x4e);
    return _mm512_xor_si512(_mm512_gf2p8affine_epi64_epi8(v, l.same, 0),
                            _mm512_gf2p8affine_epi64_epi8(swapped, l.swapped, 0));
  }

  static void fft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      const __m512i yv = load(y + c);
      const __m512i xv = _mm512_xor_si512(load(x + c), mul(yv, l));
      store(x + c, xv);
      store(y + c, _mm512_xor_si512(yv, xv));
    }
  }

  static void ifft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      const __m512i xv = load(x + c);
      const __m512i yv = _mm512_xor_si512(load(y + c), xv);
      store(y + c, yv);
      store(x + c, _mm512_xor_si512(xv, mul(yv, l)));
    }
  }

  // Rows r0..r3 at distance d: layer 2d on (r0, r2), (r1, r3), then layer d on (r0, r1), (r2, r3).
  static void fft2(uint8_t* r0, uint8_t* r1, uint8_t* r2, uint8_t* r3, size_t bytes,
                   const Lut& l01, const Lut& l23, const Lut& l02) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      __m512i x0 = load(r0 + c), x1 = load(r1 + c), x2 = load(r2 + c), x3 = load(r3 + c);
      x0 = _mm512_xor_si512(x0, mul(x2, l02));
      x2 = _mm512_xor_si512(x2, x0);
      x1 = _mm512_xor_si512(x1, mul(x3, l02));
      x3 = _mm512_xor_si512(x3, x1);
      x0 = _mm512_xor_si512(x0, mul(x1, l01));
      x1 = _mm512_xor_si512(x1, x0);
      x2 = _mm512_xor_si512(x2, mul(x3, l23));
      x3 = _mm512_xor_si512(x3, x2);
      store(r0 + c, x0);
      store(r1 + c, x1);
      store(r2 + c, x2);
      store(r3 + c, x3);
    }
  }

  // The inverse: layer d on (r0, r1), (r2, r3), then layer 2d on (r0, r2), (r1, r3).
  static void ifft2(uint8_t* r0, uint8_t* r1, uint8_t* r2, uint8_t* r3, size_t bytes,
                    const Lut& l01, const Lut& l23, const Lut& l02) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      __m512i x0 = load(r0 + c), x1 = load(r1 + c), x2 = load(r2 + c), x3 = load(r3 + c);
      x1 = _mm512_xor_si512(x1, x0);
      x0 = _mm512_xor_si512(x0, mul(x1, l01));
      x3 = _mm512_xor_si512(x3, x2);
      x2 = _mm512_xor_si512(x2, mul(x3, l23));
      x2 = _mm512_xor_si512(x2, x0);
      x0 = _mm512_xor_si512(x0, mul(x2, l02));
      x3 = _mm512_xor_si512(x3, x1);
      x1 = _mm512_xor_si512(x1, mul(x3, l02));
      store(r0 + c, x0);
      store(r1 + c, x1);
      store(r2 + c, x2);
      store(r3 + c, x3);
    }
  }

  // The tail is read and written with byte masks: no copy loops, nothing past its end.
  static void load_chunks(uint8_t* dst, const uint8_t* symbol, size_t symbol_size,
                          size_t first, size_t end) {
    const size_t whole = symbol_size / kChunkBytes;
    for (size_t c = first; c < end && c < whole; c++, dst += kChunkBytes) {
      store(dst, load(symbol + c * kChunkBytes));
    }
    if (end > whole) {
      const size_t half = (symbol_size % kChunkBytes) / 2;
      const __mmask32 mask = (1u << half) - 1;
      const uint8_t* tail = symbol + whole * kChunkBytes;
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst), _mm256_maskz_loadu_epi8(mask, tail));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + 32),
                          _mm256_maskz_loadu_epi8(mask, tail + half));
    }
  }
  static void store_chunks(uint8_t* symbol, const uint8_t* src, size_t symbol_size,
                           size_t first, size_t end) {
    const size_t whole = symbol_size / kChunkBytes;
    for (size_t c = first; c < end && c < whole; c++, src += kChunkBytes) {
      store(symbol + c * kChunkBytes, load(src));
    }
    if (end > whole) {
      const size_t half = (symbol_size % kChunkBytes) / 2;
      const __mmask32 mask = (1u << half) - 1;
      uint8_t* tail = symbol + whole * kChunkBytes;
      _mm256_mask_storeu_epi8(tail, mask,
                              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)));
      _mm256_mask_storeu_epi8(tail + half, mask,
                              _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + 32)));
    }
  }

  static void xor_into(uint8_t* y, const uint8_t* x, size_t bytes) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      store(y + c, _mm512_xor_si512(load(y + c), load(x + c)));
    }
  }
};

}  // namespace

const FftKernels* avx512_fft_kernels() { return make_kernels<Avx512Butterflies>(); }

}  // namespace floe::rs

#if defined(__clang__)
#pragma clang attribute pop
#elif defined(__GNUC__)
#pragma GCC diagnostic pop
#pragma GCC pop_options
#endif

#else

namespace floe::rs {
const FftKernels* avx512_fft_kernels() { return nullptr; }
}  // namespace floe::rs

#endif
