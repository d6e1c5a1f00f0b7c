#include "reed_solomon.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <stdexcept>

#include "gf16.h"

namespace floe::rs {

namespace {

// Strips of about this many bytes stay in a core's L2 cache together with the symbols
// streaming in and out: measured best from 128 KiB to 1 MiB on a 2 MiB L2 (Sapphire
// Rapids), +25-50% over 128 KiB for the n = 100 and 1000 shapes.
constexpr size_t kStripBudgetBytes = 512 * 1024;

// Repair symbols go to as many output buffers as there are repair symbols, at scattered
// addresses (at n = 1000, 666 slivers per column), too many streams for the hardware
// prefetchers: each store would wait for its cache line to be read for ownership. Asking
// for the lines of the symbol this many ahead overlaps those reads (n = 1000, 64 MiB:
// storing the repair symbols took 45 ms, now 26 ms).
constexpr size_t kPrefetchSymbolsAhead = 6;

inline void prefetch_for_write(const uint8_t* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p, 1);
#else
  (void)p;
#endif
}

size_t next_power_of_two(size_t x) {
  size_t p = 1;
  while (p < x) p <<= 1;
  return p;
}

}  // namespace

bool uses_high_rate(size_t original_count, size_t recovery_count) {
  const size_t original_pow2 = next_power_of_two(original_count);
  const size_t recovery_pow2 = next_power_of_two(recovery_count);
  const size_t smaller = std::min(original_pow2, recovery_pow2);
  const size_t larger = std::max(original_count, recovery_count);
  if (original_count == 0 || recovery_count == 0 || smaller + larger > gf16::kOrder) {
    throw std::invalid_argument("unsupported shard counts for reed-solomon-simd");
  }
  if (original_pow2 != recovery_pow2) return original_pow2 > recovery_pow2;
  return original_count <= recovery_count;
}

void RecoveryEncoder::FreeAligned::operator()(uint8_t* p) const {
  ::operator delete[](p, std::align_val_t{kChunkBytes});
}

RecoveryEncoder::RecoveryEncoder(size_t original_count, size_t recovery_count,
                                 size_t symbol_size, SimdLevel level)
    : original_count_(original_count),
      recovery_count_(recovery_count),
      symbol_size_(symbol_size),
      chunks_per_symbol_((symbol_size + kChunkBytes - 1) / kChunkBytes),
      high_rate_(uses_high_rate(original_count, recovery_count)),
      kernels_(fft_kernels(level)) {
  if (symbol_size == 0 || symbol_size % 2 != 0) {
    throw std::invalid_argument("symbols must be non-empty with an even size");
  }
  if (high_rate_) {
    chunk_size_ = next_power_of_two(recovery_count);
    work_rows_ = (original_count + chunk_size_ - 1) / chunk_size_ * chunk_size_;
  } else {
    chunk_size_ = next_power_of_two(original_count);
    work_rows_ =
        std::max(chunk_size_, (recovery_count + chunk_size_ - 1) / chunk_size_ * chunk_size_);
  }
  const size_t max_lanes = std::max<size_t>(1, kStripBudgetBytes / (work_rows_ * kChunkBytes));
  if (chunks_per_symbol_ <= max_lanes) {
    preferred_batch_ = max_lanes / chunks_per_symbol_;
    strip_lanes_ = preferred_batch_ * chunks_per_symbol_;
  } else {
    // Cut each symbol into equal strips rather than full ones and a sliver of a last one.
    preferred_batch_ = 1;
    const size_t strips = (chunks_per_symbol_ + max_lanes - 1) / max_lanes;
    strip_lanes_ = (chunks_per_symbol_ + strips - 1) / strips;
  }
  const size_t bytes = work_rows_ * strip_lanes_ * kChunkBytes;
  work_.reset(static_cast<uint8_t*>(::operator new[](bytes, std::align_val_t{kChunkBytes})));
}

// Lanes number the (set, chunk) pairs of a call: lane = set * chunks_per_symbol + chunk. A
// strip is a run of lanes; row i of the strip holds chunk i of every lane's symbols.
void RecoveryEncoder::load_strip(size_t first_lane, size_t lanes,
                                 const uint8_t* const* originals) {
  const size_t stride = lanes * kChunkBytes;
  const size_t end_lane = first_lane + lanes;
  for (size_t lane = first_lane; lane < end_lane;) {
    const size_t set = lane / chunks_per_symbol_;
    const size_t first = lane % chunks_per_symbol_;
    const size_t end = std::min(chunks_per_symbol_, first + (end_lane - lane));
    uint8_t* dst = work_.get() + (lane - first_lane) * kChunkBytes;
    const uint8_t* symbols = originals[set];
    for (size_t i = 0; i < original_count_; i++) {
      kernels_.load_chunks(dst + i * stride, symbols + i * symbol_size_, symbol_size_, first, end);
    }
    lane += end - first;
  }
}

void RecoveryEncoder::store_strip(size_t first_lane, size_t lanes,
                                  uint8_t* const* recovery) {
  const size_t stride = lanes * kChunkBytes;
  const size_t end_lane = first_lane + lanes;
  for (size_t lane = first_lane; lane < end_lane;) {
    const size_t set = lane / chunks_per_symbol_;
    const size_t first = lane % chunks_per_symbol_;
    const size_t end = std::min(chunks_per_symbol_, first + (end_lane - lane));
    const uint8_t* src = work_.get() + (lane - first_lane) * kChunkBytes;
    uint8_t* const* symbols = recovery + set * recovery_count_;
    const size_t begin_byte = first * kChunkBytes;
    const size_t end_byte = std::min(end * kChunkBytes, symbol_size_);
    for (size_t j = 0; j < recovery_count_; j++) {
      if (j + kPrefetchSymbolsAhead < recovery_count_) {
        const uint8_t* ahead = symbols[j + kPrefetchSymbolsAhead];
        for (size_t b = begin_byte; b < end_byte; b += kChunkBytes) prefetch_for_write(ahead + b);
        prefetch_for_write(ahead + end_byte - 1);
      }
      kernels_.store_chunks(symbols[j], src + j * stride, symbol_size_, first, end);
    }
    lane += end - first;
  }
}

// The crate's HighRateEncoder / LowRateEncoder `encode`, on one strip.
void RecoveryEncoder::transform(const ShardStrip& s) {
  const size_t k = original_count_;
  const size_t chunk = chunk_size_;
  if (high_rate_) {
    // Originals fill chunks of the work; each chunk's IFFT is summed into the first, whose
    // FFT then yields the repair symbols.
    std::memset(s.row(k), 0, (work_rows_ - k) * s.stride);
    kernels_.ifft(s, 0, chunk, std::min(k, chunk), chunk);
    size_t start = chunk;
    for (; start + chunk <= k; start += chunk) {
      kernels_.ifft(s, start, chunk, chunk, start + chunk);
      kernels_.xor_rows(s, 0, start, chunk);
    }
    if (k % chunk > 0 && k > chunk) {
      kernels_.ifft(s, start, chunk, k % chunk, start + chunk);
      kernels_.xor_rows(s, 0, start, chunk);
    }
    kernels_.fft(s, 0, chunk, recovery_count_, 0);
  } else {
    // One IFFT of the originals, then one FFT per chunk of repair symbols.
    std::memset(s.row(k), 0, (chunk - k) * s.stride);
    kernels_.ifft(s, 0, chunk, k, 0);
    for (size_t start = chunk; start < recovery_count_; start += chunk) {
      std::memcpy(s.row(start), s.row(0), chunk * s.stride);
    }
    size_t start = 0;
    for (; start + chunk <= recovery_count_; start += chunk) {
      kernels_.fft(s, start, chunk, chunk, start + chunk);
    }
    if (recovery_count_ % chunk > 0) {
      kernels_.fft(s, start, chunk, recovery_count_ % chunk, start + chunk);
    }
  }
}

void RecoveryEncoder::encode(size_t count, const uint8_t* const* originals,
                             uint8_t* const* recovery) {
  const size_t total_lanes = count * chunks_per_symbol_;
  for (size_t first = 0; first < total_lanes; first += strip_lanes_) {
    const size_t lanes = std::min(strip_lanes_, total_lanes - first);
    const ShardStrip strip{work_.get(), lanes * kChunkBytes, lanes * kChunkBytes};
    load_strip(first, lanes, originals);
    transform(strip);
    store_strip(first, lanes, recovery);
  }
}

}  // namespace floe::rs
