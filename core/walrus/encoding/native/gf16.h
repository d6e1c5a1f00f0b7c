// GF(2^16) as reed-solomon-simd defines it (the Leopard construction): elements written
// in the Cantor basis so that the additive FFT's subspaces line up, multiplication
// through log/exp tables, and the FFT twiddle factors ("skew") in log form.
#pragma once

#include <cstdint>

namespace floe::gf16 {

inline constexpr unsigned kBits = 16;
inline constexpr unsigned kOrder = 1u << kBits;
inline constexpr unsigned kModulus = kOrder - 1;

// Multiplication by one constant, split into nibble tables for pshufb/tbl: the product of
// nibble j of an element (bits 4j..4j+3) has low byte lo[j][nibble] and high byte
// hi[j][nibble]. Multiplication is GF(2)-linear, so XOR-ing the four gives the product.
struct NibbleTables {
  alignas(16) uint8_t lo[4][16];
  alignas(16) uint8_t hi[4][16];
};

// The same multiplication as four 8x8 bit matrices in the layout of GFNI's affine
// instruction: low byte of the product from the low byte (ll) and high byte (lh) of the
// element, high byte from low (hl) and high (hh).
struct AffineMatrices {
  uint64_t ll, lh, hl, hh;
};

struct Tables {
  uint16_t exp[kOrder];
  uint16_t log[kOrder];
  // Twiddle logarithms of the FFT; kModulus means "multiply by zero" (butterfly is a XOR).
  uint16_t skew[kModulus];
  // Indexed by the twiddle's logarithm, with the FFT's convention: entry kModulus is zero.
  NibbleTables nibbles[kOrder];
};

// Built once per process (8.5 MiB), shared by every thread and worker.
const Tables& tables();
// GFNI matrices like `nibbles` (entry kModulus is zero), built on first use by the
// AVX-512 kernels only (2 MiB).
const AffineMatrices* affine_matrices();

inline uint16_t add_mod(uint32_t x, uint32_t y) {
  const uint32_t sum = x + y;
  return static_cast<uint16_t>((sum + (sum >> kBits)) & kModulus);
}

inline uint16_t mul_log(uint16_t x, uint16_t log_m, const Tables& t) {
  return x == 0 ? 0 : t.exp[add_mod(t.log[x], log_m)];
}

}  // namespace floe::gf16
