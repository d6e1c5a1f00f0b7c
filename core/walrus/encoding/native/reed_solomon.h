// Reed–Solomon repair symbols exactly as the reed-solomon-simd crate computes them (the
// crate Walrus's RS2 encoding uses): its two rate layouts, its byte pairing, its FFTs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "cpu_features.h"
#include "fft_kernels.h"

namespace floe::rs {

// The crate picks one of two evaluation layouts from the counts; they give different
// repair symbols, so the choice must be the crate's to the letter.
bool uses_high_rate(size_t original_count, size_t recovery_count);

// Encodes many symbol sets of one shape (original_count symbols of symbol_size bytes each,
// symbol_size even) into their recovery_count repair symbols. Several small sets share one
// pass of the FFT, and long symbols are cut into strips, so the work always fits in cache.
class RecoveryEncoder {
 public:
  RecoveryEncoder(size_t original_count, size_t recovery_count, size_t symbol_size,
                  SimdLevel level);

  // Sets per `encode` call that fill one strip; more are fine, fewer waste some of it.
  size_t preferred_batch() const { return preferred_batch_; }

  // For each set b < count: originals[b] points at its original_count symbols, one after
  // the other; recovery[b * recovery_count + j] is where its repair symbol j goes.
  void encode(size_t count, const uint8_t* const* originals, uint8_t* const* recovery);

 private:
  void load_strip(size_t first_lane, size_t lanes, const uint8_t* const* originals);
  void store_strip(size_t first_lane, size_t lanes, uint8_t* const* recovery);
  void transform(const ShardStrip& strip);

  size_t original_count_, recovery_count_, symbol_size_;
  size_t chunks_per_symbol_;  // 64-byte chunks, the last one possibly a short tail
  bool high_rate_;
  size_t chunk_size_;  // FFT size: the power of two the layout works in
  size_t work_rows_;
  size_t strip_lanes_;  // chunks of (set, position) per row of a strip
  size_t preferred_batch_;
  const FftKernels& kernels_;
  struct FreeAligned {
    void operator()(uint8_t* p) const;
  };
  std::unique_ptr<uint8_t, FreeAligned> work_;
};

}  // namespace floe::rs
