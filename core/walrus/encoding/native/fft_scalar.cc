// Portable kernels: one field element at a time through the log/exp tables, exactly the
// arithmetic of the TypeScript port (reed-solomon.ts). The reference for the SIMD levels.
#include <cstring>

#include "fft_kernels.h"
#include "gf16.h"
#include "fft_loops.h"

namespace floe::rs {
namespace {

struct ScalarButterflies : PortableChunkCopies {
  static constexpr bool kTwoLayers = false;
  struct Lut {
    uint16_t log_m;
    const gf16::Tables* t;
  };
  static Lut lut(const gf16::Tables& t, uint16_t log_m) { return {log_m, &t}; }

  // x ^= y * m over every element of the rows.
  static void mul_add(uint8_t* x, const uint8_t* y, size_t bytes, const Lut& lut) {
    for (size_t c = 0; c < bytes; c += kChunkBytes) {
      for (size_t i = 0; i < 32; i++) {
        const uint16_t e = static_cast<uint16_t>(y[c + i] | (y[c + 32 + i] << 8));
        const uint16_t p = gf16::mul_log(e, lut.log_m, *lut.t);
        x[c + i] ^= static_cast<uint8_t>(p);
        x[c + 32 + i] ^= static_cast<uint8_t>(p >> 8);
      }
    }
  }
  static void xor_into(uint8_t* y, const uint8_t* x, size_t bytes) {
    // Whole words; the compiler vectorises this with the baseline SSE2 on x86-64.
    for (size_t i = 0; i < bytes; i += 8) {
      uint64_t a, b;
      std::memcpy(&a, y + i, 8);
      std::memcpy(&b, x + i, 8);
      a ^= b;
      std::memcpy(y + i, &a, 8);
    }
  }
  static void fft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& lut) {
    mul_add(x, y, bytes, lut);
    xor_into(y, x, bytes);
  }
  static void ifft(uint8_t* x, uint8_t* y, size_t bytes, const Lut& lut) {
    xor_into(y, x, bytes);
    mul_add(x, y, bytes, lut);
  }
};

}  // namespace

const FftKernels* scalar_fft_kernels() { return make_kernels<ScalarButterflies>(); }

const FftKernels& fft_kernels(SimdLevel level) {
  const FftKernels* chosen = nullptr;
  switch (level) {
    case SimdLevel::kAvx512:
      chosen = avx512_fft_kernels();
      if (chosen) break;
      [[fallthrough]];
    case SimdLevel::kAvx2:
      chosen = avx2_fft_kernels();
      if (chosen) break;
      [[fallthrough]];
    case SimdLevel::kSsse3:
      chosen = ssse3_fft_kernels();
      break;
    case SimdLevel::kNeon:
      chosen = neon_fft_kernels();
      break;
    case SimdLevel::kScalar:
      break;
  }
  return chosen ? *chosen : *scalar_fft_kernels();
}

}  // namespace floe::rs
