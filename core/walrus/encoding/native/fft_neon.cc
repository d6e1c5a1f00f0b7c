// NEON kernels for arm64: the nibble-table multiply with `tbl` on 128-bit vectors. A
// 64-byte chunk holds two groups of 16 elements: low bytes at offset h, high bytes at h + 32.
#include <cstring>

#include "fft_kernels.h"
#include "gf16.h"

#if defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>

#include "fft_loops.h"

namespace floe::rs {
namespace {

struct NeonButterflies : PortableChunkCopies {
  static constexpr bool kTwoLayers = true;
  struct Lut {
    uint8x16_t lo[4], hi[4];
  };
  static Lut lut(const gf16::Tables& t, uint16_t log_m) {
    const gf16::NibbleTables& n = t.nibbles[log_m];
    Lut l;
    for (int j = 0; j < 4; j++) {
      l.lo[j] = vld1q_u8(n.lo[j]);
      l.hi[j] = vld1q_u8(n.hi[j]);
    }
    return l;
  }

  static inline void mul(uint8x16_t v_lo, uint8x16_t v_hi, const Lut& l, uint8x16_t* p_lo,
                         uint8x16_t* p_hi) {
    const uint8x16_t mask = vdupq_n_u8(0x0f);
    uint8x16_t d = vandq_u8(v_lo, mask);
    uint8x16_t lo = vqtbl1q_u8(l.lo[0], d);
    uint8x16_t hi = vqtbl1q_u8(l.hi[0], d);
    d = vshrq_n_u8(v_lo, 4);
    lo = veorq_u8(lo, vqtbl1q_u8(l.lo[1], d));
    hi = veorq_u8(hi, vqtbl1q_u8(l.hi[1], d));
    d = vandq_u8(v_hi, mask);
    lo = veorq_u8(lo, vqtbl1q_u8(l.lo[2], d));
    hi = veorq_u8(hi, vqtbl1q_u8(l.hi[2], d));
    d = vshrq_n_u8(v_hi, 4);
    *p_lo = veorq_u8(lo, vqtbl1q_u8(l.lo[3], d));
    *p_hi = veorq_u8(hi, vqtbl1q_u8(l.hi[3], d));
  }

  static void fft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t h = c; h < c + 32; h += 16) {
        const uint8x16_t y_lo = vld1q_u8(y + h), y_hi = vld1q_u8(y + h + 32);
        uint8x16_t p_lo, p_hi;
        mul(y_lo, y_hi, l, &p_lo, &p_hi);
        const uint8x16_t x_lo = veorq_u8(vld1q_u8(x + h), p_lo);
        const uint8x16_t x_hi = veorq_u8(vld1q_u8(x + h + 32), p_hi);
        vst1q_u8(x + h, x_lo);
        vst1q_u8(x + h + 32, x_hi);
        vst1q_u8(y + h, veorq_u8(y_lo, x_lo));
        vst1q_u8(y + h + 32, veorq_u8(y_hi, x_hi));
      }
    }
  }

  static void ifft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& l) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t h = c; h < c + 32; h += 16) {
        const uint8x16_t x_lo = vld1q_u8(x + h), x_hi = vld1q_u8(x + h + 32);
        const uint8x16_t y_lo = veorq_u8(vld1q_u8(y + h), x_lo);
        const uint8x16_t y_hi = veorq_u8(vld1q_u8(y + h + 32), x_hi);
        vst1q_u8(y + h, y_lo);
        vst1q_u8(y + h + 32, y_hi);
        uint8x16_t p_lo, p_hi;
        mul(y_lo, y_hi, l, &p_lo, &p_hi);
        vst1q_u8(x + h, veorq_u8(x_lo, p_lo));
        vst1q_u8(x + h + 32, veorq_u8(x_hi, p_hi));
      }
    }
  }

  // x ^= y * m for sixteen elements held in registers.
  static inline void mul_add(uint8x16_t* x_lo, uint8x16_t* x_hi, uint8x16_t y_lo, uint8x16_t y_hi,
                             const Lut& l) {
    uint8x16_t p_lo, p_hi;
    mul(y_lo, y_hi, l, &p_lo, &p_hi);
    *x_lo = veorq_u8(*x_lo, p_lo);
    *x_hi = veorq_u8(*x_hi, p_hi);
  }

  // Rows r0..r3 at distance d: layer 2d on (r0, r2), (r1, r3), then layer d on (r0, r1), (r2, r3).
  static void fft2(uint8_t* r0, uint8_t* r1, uint8_t* r2, uint8_t* r3, size_t bytes,
                   const Lut& l01, const Lut& l23, const Lut& l02) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t h = c; h < c + 32; h += 16) {
        uint8x16_t a0 = vld1q_u8(r0 + h), b0 = vld1q_u8(r0 + h + 32);
        uint8x16_t a1 = vld1q_u8(r1 + h), b1 = vld1q_u8(r1 + h + 32);
        uint8x16_t a2 = vld1q_u8(r2 + h), b2 = vld1q_u8(r2 + h + 32);
        uint8x16_t a3 = vld1q_u8(r3 + h), b3 = vld1q_u8(r3 + h + 32);
        mul_add(&a0, &b0, a2, b2, l02);
        a2 = veorq_u8(a2, a0);
        b2 = veorq_u8(b2, b0);
        mul_add(&a1, &b1, a3, b3, l02);
        a3 = veorq_u8(a3, a1);
        b3 = veorq_u8(b3, b1);
        mul_add(&a0, &b0, a1, b1, l01);
        a1 = veorq_u8(a1, a0);
        b1 = veorq_u8(b1, b0);
        mul_add(&a2, &b2, a3, b3, l23);
        a3 = veorq_u8(a3, a2);
        b3 = veorq_u8(b3, b2);
        vst1q_u8(r0 + h, a0), vst1q_u8(r0 + h + 32, b0), vst1q_u8(r1 + h, a1);
        vst1q_u8(r1 + h + 32, b1), vst1q_u8(r2 + h, a2), vst1q_u8(r2 + h + 32, b2);
        vst1q_u8(r3 + h, a3), vst1q_u8(r3 + h + 32, b3);
      }
    }
  }

  // The inverse: layer d on (r0, r1), (r2, r3), then layer 2d on (r0, r2), (r1, r3).
  static void ifft2(uint8_t* r0, uint8_t* r1, uint8_t* r2, uint8_t* r3, size_t bytes,
                    const Lut& l01, const Lut& l23, const Lut& l02) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t h = c; h < c + 32; h += 16) {
        uint8x16_t a0 = vld1q_u8(r0 + h), b0 = vld1q_u8(r0 + h + 32);
        uint8x16_t a1 = vld1q_u8(r1 + h), b1 = vld1q_u8(r1 + h + 32);
        uint8x16_t a2 = vld1q_u8(r2 + h), b2 = vld1q_u8(r2 + h + 32);
        uint8x16_t a3 = vld1q_u8(r3 + h), b3 = vld1q_u8(r3 + h + 32);
        a1 = veorq_u8(a1, a0);
        b1 = veorq_u8(b1, b0);
        mul_add(&a0, &b0, a1, b1, l01);
        a3 = veorq_u8(a3, a2);
        b3 = veorq_u8(b3, b2);
        mul_add(&a2, &b2, a3, b3, l23);
        a2 = veorq_u8(a2, a0);
        b2 = veorq_u8(b2, b0);
        mul_add(&a0, &b0, a2, b2, l02);
        a3 = veorq_u8(a3, a1);
        b3 = veorq_u8(b3, b1);
        mul_add(&a1, &b1, a3, b3, l02);
        vst1q_u8(r0 + h, a0), vst1q_u8(r0 + h + 32, b0), vst1q_u8(r1 + h, a1);
        vst1q_u8(r1 + h + 32, b1), vst1q_u8(r2 + h, a2), vst1q_u8(r2 + h + 32, b2);
        vst1q_u8(r3 + h, a3), vst1q_u8(r3 + h + 32, b3);
      }
    }
  }

  static void xor_into(uint8_t* y, const uint8_t* x, size_t bytes) {
    for (size_t c = 0; c < bytes; c += 16) vst1q_u8(y + c, veorq_u8(vld1q_u8(y + c), vld1q_u8(x + c)));
  }
};

}  // namespace

const FftKernels* neon_fft_kernels() { return make_kernels<NeonButterflies>(); }

}  // namespace floe::rs

#else

namespace floe::rs {
const FftKernels* neon_fft_kernels() { return nullptr; }
}  // namespace floe::rs

#endif
