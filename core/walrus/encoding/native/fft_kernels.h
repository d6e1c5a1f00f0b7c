// The additive FFT and inverse FFT of reed-solomon-simd over GF(2^16), for each SIMD level.
//
// Shards are rows of 64-byte chunks in the crate's layout: chunk bytes 0..31 are the low
// bytes and 32..63 the high bytes of 32 field elements. Every operation acts on one element
// position across rows, so the kernels can run on any range of chunks ("a strip") at a
// time, which keeps the working set in cache however long the symbols are.
#pragma once

#include <cstddef>
#include <cstdint>

#include "cpu_features.h"

namespace floe::rs {

inline constexpr size_t kChunkBytes = 64;

struct ShardStrip {
  uint8_t* base;
  size_t stride;  // bytes from one row to the next
  size_t bytes;   // bytes of each row in the strip, a multiple of kChunkBytes
  uint8_t* row(size_t i) const { return base + i * stride; }
};

struct FftKernels {
  // Same arguments as the crate's `Engine::fft` / `Engine::ifft`.
  void (*fft)(const ShardStrip& s, size_t pos, size_t size, size_t truncated, size_t skew_delta);
  void (*ifft)(const ShardStrip& s, size_t pos, size_t size, size_t truncated, size_t skew_delta);
  // Rows dst..dst+count ^= rows src..src+count.
  void (*xor_rows)(const ShardStrip& s, size_t dst, size_t src, size_t count);
  // Chunks [first, end) of a symbol into / out of the crate's layout. Whole 64-byte chunks
  // are already in it (bytes i and i + 32 form element i); a shorter tail of t bytes pairs
  // byte j with byte t/2 + j and is zero-padded to a chunk.
  void (*load_chunks)(uint8_t* dst, const uint8_t* symbol, size_t symbol_size, size_t first,
                      size_t end);
  void (*store_chunks)(uint8_t* symbol, const uint8_t* src, size_t symbol_size, size_t first,
                       size_t end);
};

// The best kernels at or below `level`.
const FftKernels& fft_kernels(SimdLevel level);

// Per-level kernel sets; those a build does not include return nullptr.
const FftKernels* scalar_fft_kernels();
const FftKernels* ssse3_fft_kernels();
const FftKernels* avx2_fft_kernels();
const FftKernels* avx512_fft_kernels();
const FftKernels* neon_fft_kernels();

}  // namespace floe::rs
