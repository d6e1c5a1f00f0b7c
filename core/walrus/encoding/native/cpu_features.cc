#include "cpu_features.h"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#endif

namespace floe {

namespace {

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64) || defined(_M_IX86)
#define FLOE_X86 1
#endif

#if defined(FLOE_X86) && defined(_MSC_VER) && !defined(__clang__)
// MSVC has no __builtin_cpu_supports: read CPUID and check that the OS saves the wide
// registers (XGETBV) before trusting AVX2 or AVX-512.
struct X86Features {
  bool ssse3 = false, avx2 = false, avx512 = false;
  X86Features() {
    int r[4];
    __cpuid(r, 0);
    const int max_leaf = r[0];
    __cpuid(r, 1);
    ssse3 = (r[2] & (1 << 9)) != 0;
    const bool osxsave = (r[2] & (1 << 27)) != 0;
    const bool avx = (r[2] & (1 << 28)) != 0;
    if (!osxsave || !avx || max_leaf < 7) return;
    const unsigned long long xcr0 = _xgetbv(0);
    const bool ymm = (xcr0 & 0x6) == 0x6;
    const bool zmm = (xcr0 & 0xe6) == 0xe6;
    __cpuidex(r, 7, 0);
    avx2 = ymm && (r[1] & (1 << 5)) != 0;
    const bool avx512f = (r[1] & (1 << 16)) != 0;
    const bool avx512bw = (r[1] & (1 << 30)) != 0;
    const bool avx512vl = (r[1] & (1u << 31)) != 0;
    const bool gfni = (r[2] & (1 << 8)) != 0;
    avx512 = avx2 && zmm && avx512f && avx512bw && avx512vl && gfni;
  }
};
const X86Features& x86() {
  static const X86Features features;
  return features;
}
bool has_ssse3() { return x86().ssse3; }
bool has_avx2() { return x86().avx2; }
bool has_avx512() { return x86().avx512; }
#elif defined(FLOE_X86)
// GCC and Clang check the OS support for the wide registers themselves.
bool has_ssse3() { return __builtin_cpu_supports("ssse3"); }
bool has_avx2() { return __builtin_cpu_supports("avx2"); }
bool has_avx512() {
  return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("gfni");
}
#endif

}  // namespace

bool simd_level_supported(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return true;
#if defined(FLOE_X86)
    case SimdLevel::kSsse3:
      return has_ssse3();
    case SimdLevel::kAvx2:
      return has_avx2();
    case SimdLevel::kAvx512:
      return has_avx512();
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case SimdLevel::kNeon:
      return true;  // NEON (AdvSIMD) is part of the arm64 baseline.
#endif
    default:
      return false;
  }
}

SimdLevel best_simd_level() {
  for (SimdLevel level :
       {SimdLevel::kAvx512, SimdLevel::kAvx2, SimdLevel::kSsse3, SimdLevel::kNeon}) {
    if (simd_level_supported(level)) return level;
  }
  return SimdLevel::kScalar;
}

const char* simd_level_name(SimdLevel level) {
  switch (level) {
    case SimdLevel::kScalar:
      return "scalar";
    case SimdLevel::kSsse3:
      return "ssse3";
    case SimdLevel::kAvx2:
      return "avx2";
    case SimdLevel::kAvx512:
      return "avx512";
    case SimdLevel::kNeon:
      return "neon";
  }
  return "scalar";
}

bool parse_simd_level(const std::string& name, SimdLevel* level) {
  for (SimdLevel candidate : {SimdLevel::kScalar, SimdLevel::kSsse3, SimdLevel::kAvx2,
                              SimdLevel::kAvx512, SimdLevel::kNeon}) {
    if (name == simd_level_name(candidate)) {
      *level = candidate;
      return true;
    }
  }
  return false;
}

}  // namespace floe
