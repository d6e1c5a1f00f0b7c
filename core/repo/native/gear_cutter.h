// FastCDC cut-point search with a gear hash, exactly as core/repo/chunker.ts does it (that
// file is the specification and the test oracle): the same table, shifts, bounds and the
// same state carried between calls, so a chunk arriving in many reads is hashed once.
#ifndef FLOE_REPO_GEAR_CUTTER_H_
#define FLOE_REPO_GEAR_CUTTER_H_

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace floe {
namespace repo {

class GearCutter {
 public:
  // `table` is 256 words; min < avg < max, avg a power of two (checked by the caller).
  GearCutter(const uint32_t* table, size_t min_size, size_t avg_size, size_t max_size,
             unsigned avg_bits)
      : min_(min_size),
        avg_(avg_size),
        max_(max_size),
        // Two more bits before the average, two fewer after (normalization level 2).
        shift_hard_(32 - (avg_bits + 2)),
        shift_easy_(32 - (avg_bits - 2)),
        scanned_(min_size) {
    std::copy(table, table + 256, table_);
  }

  // Length of the next chunk starting at `from`, or -1 when data[from, end) holds no cut
  // yet and is shorter than the maximum.
  int64_t find(const uint8_t* data, size_t from, size_t end) {
    const size_t normal = std::min(from + avg_, end);
    const size_t limit = std::min(from + max_, end);
    size_t i = from + scanned_;
    uint32_t h = h_;
    for (; i < normal; i++) {
      h = (h << 1) + table_[data[i]];
      if ((h >> shift_hard_) == 0) return found(i + 1 - from);
    }
    for (; i < limit; i++) {
      h = (h << 1) + table_[data[i]];
      if ((h >> shift_easy_) == 0) return found(i + 1 - from);
    }
    if (end - from >= max_) return found(max_);
    h_ = h;
    scanned_ = std::max(scanned_, i - from);
    return -1;
  }

 private:
  int64_t found(size_t length) {
    scanned_ = min_;
    h_ = 0;
    return static_cast<int64_t>(length);
  }

  uint32_t table_[256];
  size_t min_, avg_, max_;
  unsigned shift_hard_, shift_easy_;
  size_t scanned_;  // offset from the chunk start of the next byte to hash
  uint32_t h_ = 0;
};

}  // namespace repo
}  // namespace floe

#endif  // FLOE_REPO_GEAR_CUTTER_H_
