// Which SIMD instruction sets the encoder may use on this CPU, chosen at run time so one
// build runs on every x86-64 and arm64 machine.
#pragma once

#include <string>

// For the small SIMD helpers of hot loops, which GCC otherwise sometimes leaves as calls
// (Blake2b's G function was, and kept the whole state in memory).
#if defined(_MSC_VER) && !defined(__clang__)
#define FLOE_ALWAYS_INLINE __forceinline
#else
#define FLOE_ALWAYS_INLINE inline __attribute__((always_inline))
#endif

namespace floe {

// Ordered from least to most capable on each architecture; every kernel picks the best
// implementation it has at or below the requested level.
enum class SimdLevel {
  kScalar,
  kSsse3,   // x86-64: 128-bit pshufb nibble tables
  kAvx2,    // x86-64: 256-bit pshufb nibble tables, 4-lane Blake2b
  kAvx512,  // x86-64: GFNI affine multiply on 256-bit vectors, 8-lane Blake2b (AVX-512 BW/VL)
  kNeon,    // arm64: 128-bit tbl nibble tables
};

SimdLevel best_simd_level();
bool simd_level_supported(SimdLevel level);
const char* simd_level_name(SimdLevel level);
// Accepts the names `simd_level_name` returns.
bool parse_simd_level(const std::string& name, SimdLevel* level);

}  // namespace floe
