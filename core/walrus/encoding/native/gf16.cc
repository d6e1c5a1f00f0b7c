#include "gf16.h"

#include <mutex>

namespace floe::gf16 {

namespace {

constexpr uint32_t kPolynomial = 0x1002d;
constexpr uint16_t kCantorBasis[kBits] = {0x0001, 0xacca, 0x3c0e, 0x163e, 0xc582, 0xed2e,
                                          0x914c, 0x4012, 0x6c98, 0x10d8, 0x6a72, 0xb900,
                                          0xfdb8, 0xfb34, 0xff38, 0x991e};

void build_exp_log(Tables& t) {
  // Discrete logs in the polynomial basis from the LFSR of the field polynomial.
  uint32_t state = 1;
  for (uint32_t i = 0; i < kModulus; i++) {
    t.exp[state] = static_cast<uint16_t>(i);
    state <<= 1;
    if (state >= kOrder) state ^= kPolynomial;
  }
  t.exp[0] = kModulus;
  // Re-express every element in the Cantor basis.
  t.log[0] = 0;
  for (unsigned i = 0; i < kBits; i++) {
    const uint32_t width = 1u << i;
    for (uint32_t j = 0; j < width; j++) t.log[j + width] = t.log[j] ^ kCantorBasis[i];
  }
  for (uint32_t i = 0; i < kOrder; i++) t.log[i] = t.exp[t.log[i]];
  for (uint32_t i = 0; i < kOrder; i++) t.exp[t.log[i]] = static_cast<uint16_t>(i);
  t.exp[kModulus] = t.exp[0];
}

void build_skew(Tables& t) {
  uint16_t temp[kBits - 1];
  for (unsigned i = 1; i < kBits; i++) temp[i - 1] = static_cast<uint16_t>(1u << i);
  for (unsigned m = 0; m < kBits - 1; m++) {
    const uint32_t step = 1u << (m + 1);
    t.skew[(1u << m) - 1] = 0;
    for (unsigned i = m; i < kBits - 1; i++) {
      const uint32_t s = 1u << (i + 1);
      for (uint32_t j = (1u << m) - 1; j < s; j += step) t.skew[j + s] = t.skew[j] ^ temp[i];
    }
    temp[m] = static_cast<uint16_t>(kModulus - t.log[mul_log(temp[m], t.log[temp[m] ^ 1], t)]);
    for (unsigned i = m + 1; i < kBits - 1; i++) {
      temp[i] = mul_log(temp[i], add_mod(t.log[temp[i] ^ 1], temp[m]), t);
    }
  }
  for (uint32_t i = 0; i < kModulus; i++) t.skew[i] = t.log[t.skew[i]];
}

void build_nibble_tables(Tables& t) {
  t.nibbles[kModulus] = {};
  for (uint32_t log_m = 0; log_m < kModulus; log_m++) {
    NibbleTables& n = t.nibbles[log_m];
    for (unsigned j = 0; j < 4; j++) {
      for (uint32_t x = 0; x < 16; x++) {
        const uint16_t product = mul_log(static_cast<uint16_t>(x << (4 * j)),
                                         static_cast<uint16_t>(log_m), t);
        n.lo[j][x] = static_cast<uint8_t>(product);
        n.hi[j][x] = static_cast<uint8_t>(product >> 8);
      }
    }
  }
}

const Tables* the_tables = nullptr;
std::once_flag tables_once;

AffineMatrices* the_matrices = nullptr;
std::once_flag matrices_once;

// GFNI's affine instruction computes bit i of each output byte as the parity of byte
// (7 - i) of the matrix AND the input byte.
uint64_t affine_matrix(const uint16_t columns[8], unsigned out_shift) {
  uint64_t matrix = 0;
  for (unsigned out_bit = 0; out_bit < 8; out_bit++) {
    uint64_t row = 0;
    for (unsigned in_bit = 0; in_bit < 8; in_bit++) {
      if ((columns[in_bit] >> (out_shift + out_bit)) & 1) row |= 1u << in_bit;
    }
    matrix |= row << (8 * (7 - out_bit));
  }
  return matrix;
}

}  // namespace

const Tables& tables() {
  std::call_once(tables_once, [] {
    Tables* t = new Tables;
    build_exp_log(*t);
    build_skew(*t);
    build_nibble_tables(*t);
    the_tables = t;
  });
  return *the_tables;
}

const AffineMatrices* affine_matrices() {
  std::call_once(matrices_once, [] {
    const Tables& t = tables();
    AffineMatrices* all = new AffineMatrices[kOrder];
    all[kModulus] = {0, 0, 0, 0};
    for (uint32_t log_m = 0; log_m < kModulus; log_m++) {
      // Column b: the product of the element with only bit b set.
      uint16_t low_columns[8], high_columns[8];
      for (unsigned b = 0; b < 8; b++) {
        low_columns[b] = mul_log(static_cast<uint16_t>(1u << b), static_cast<uint16_t>(log_m), t);
        high_columns[b] =
            mul_log(static_cast<uint16_t>(1u << (b + 8)), static_cast<uint16_t>(log_m), t);
      }
      all[log_m] = {affine_matrix(low_columns, 0), affine_matrix(high_columns, 0),
                    affine_matrix(low_columns, 8), affine_matrix(high_columns, 8)};
    }
    the_matrices = all;
  });
  return the_matrices;
}

}  // namespace floe::gf16
