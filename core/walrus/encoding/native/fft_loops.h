// The FFT loop structure shared by every SIMD level, over a butterfly engine `B` with
//   B::Lut B::lut(tables, log_m)             multiplication by the constant exp(log_m)
//   B::fft(x, y, bytes, lut)                 x ^= y * m; y ^= x
//   B::ifft(x, y, bytes, lut)                y ^= x; x ^= y * m
//   B::xor_into(y, x, bytes)                 y ^= x
//   B::load_chunks / B::store_chunks         as FftKernels (or those below)
// and, where B::kTwoLayers, both layers of a group of four rows in one pass over them:
//   B::fft2(r0, r1, r2, r3, bytes, lut01, lut23, lut02)
//   B::ifft2(r0, r1, r2, r3, bytes, lut01, lut23, lut02)
// in which a twiddle of kModulus must act as multiplication by zero (its tables are zero).
// Two layers at a time, as the crate does. Included by each kernel file inside its target
// region, after all standard headers, so each instantiation is compiled for its own ISA;
// the anonymous namespace keeps those instantiations apart.
#pragma once

namespace floe::rs {
namespace {

// A twiddle factor with its multiplication tables loaded once for a whole butterfly group.
template <class B>
struct Twiddle {
  uint16_t log_m;
  typename B::Lut lut;
  Twiddle(const gf16::Tables& t, uint16_t m) : log_m(m), lut(B::lut(t, m)) {}
};

// A twiddle of kModulus stands for zero: the butterfly reduces to its XOR.
template <class B>
inline void fft_butterfly(const ShardStrip& s, size_t x, size_t y, const Twiddle<B>& w) {
  if (w.log_m == gf16::kModulus) {
    B::xor_into(s.row(y), s.row(x), s.bytes);
  } else {
    B::fft(s.row(x), s.row(y), s.bytes, w.lut);
  }
}

template <class B>
inline void ifft_butterfly(const ShardStrip& s, size_t x, size_t y, const Twiddle<B>& w) {
  if (w.log_m == gf16::kModulus) {
    B::xor_into(s.row(y), s.row(x), s.bytes);
  } else {
    B::ifft(s.row(x), s.row(y), s.bytes, w.lut);
  }
}

template <class B>
void fft_loop(const ShardStrip& s, size_t pos, size_t size, size_t truncated, size_t skew_delta) {
  const gf16::Tables& t = gf16::tables();
  size_t dist4 = size;
  size_t dist = size >> 2;
  for (; dist != 0; dist4 = dist, dist >>= 2) {
    for (size_t r = 0; r < truncated; r += dist4) {
      const size_t base = r + dist + skew_delta - 1;
      const Twiddle<B> w01(t, t.skew[base]);
      const Twiddle<B> w02(t, t.skew[base + dist]);
      const Twiddle<B> w23(t, t.skew[base + dist * 2]);
      for (size_t i = pos + r; i < pos + r + dist; i++) {
        if constexpr (B::kTwoLayers) {
          B::fft2(s.row(i), s.row(i + dist), s.row(i + dist * 2), s.row(i + dist * 3), s.bytes,
                  w01.lut, w23.lut, w02.lut);
        } else {
          fft_butterfly<B>(s, i, i + dist * 2, w02);
          fft_butterfly<B>(s, i + dist, i + dist * 3, w02);
          fft_butterfly<B>(s, i, i + dist, w01);
          fft_butterfly<B>(s, i + dist * 2, i + dist * 3, w23);
        }
      }
    }
  }
  if (dist4 == 2) {
    for (size_t r = 0; r < truncated; r += 2) {
      fft_butterfly<B>(s, pos + r, pos + r + 1, Twiddle<B>(t, t.skew[r + skew_delta]));
    }
  }
}

template <class B>
void ifft_loop(const ShardStrip& s, size_t pos, size_t size, size_t truncated, size_t skew_delta) {
  const gf16::Tables& t = gf16::tables();
  size_t dist = 1;
  size_t dist4 = 4;
  for (; dist4 <= size; dist = dist4, dist4 <<= 2) {
    for (size_t r = 0; r < truncated; r += dist4) {
      const size_t base = r + dist + skew_delta - 1;
      const Twiddle<B> w01(t, t.skew[base]);
      const Twiddle<B> w02(t, t.skew[base + dist]);
      const Twiddle<B> w23(t, t.skew[base + dist * 2]);
      for (size_t i = pos + r; i < pos + r + dist; i++) {
        if constexpr (B::kTwoLayers) {
          B::ifft2(s.row(i), s.row(i + dist), s.row(i + dist * 2), s.row(i + dist * 3), s.bytes,
                   w01.lut, w23.lut, w02.lut);
        } else {
          ifft_butterfly<B>(s, i, i + dist, w01);
          ifft_butterfly<B>(s, i + dist * 2, i + dist * 3, w23);
          ifft_butterfly<B>(s, i, i + dist * 2, w02);
          ifft_butterfly<B>(s, i + dist, i + dist * 3, w02);
        }
      }
    }
  }
  if (dist < size) {
    // One layer left (size is an odd power of two): a single group at distance size / 2.
    const Twiddle<B> w(t, t.skew[dist + skew_delta - 1]);
    for (size_t i = pos; i < pos + dist; i++) ifft_butterfly<B>(s, i, i + dist, w);
  }
}

template <class B>
void xor_rows_loop(const ShardStrip& s, size_t dst, size_t src, size_t count) {
  for (size_t i = 0; i < count; i++) B::xor_into(s.row(dst + i), s.row(src + i), s.bytes);
}

// Layout conversions with plain copies, for engines without masked loads and stores.
struct PortableChunkCopies {
  static void load_chunks(uint8_t* dst, const uint8_t* symbol, size_t symbol_size, size_t first,
                          size_t end) {
    const size_t whole = symbol_size / kChunkBytes;
    for (size_t c = first; c < end && c < whole; c++, dst += kChunkBytes) {
      std::memcpy(dst, symbol + c * kChunkBytes, kChunkBytes);
    }
    if (end > whole) {
      const size_t half = (symbol_size % kChunkBytes) / 2;
      const uint8_t* tail = symbol + whole * kChunkBytes;
      std::memset(dst, 0, kChunkBytes);
      for (size_t j = 0; j < half; j++) {
        dst[j] = tail[j];
        dst[kChunkBytes / 2 + j] = tail[half + j];
      }
    }
  }
  static void store_chunks(uint8_t* symbol, const uint8_t* src, size_t symbol_size, size_t first,
                           size_t end) {
    const size_t whole = symbol_size / kChunkBytes;
    for (size_t c = first; c < end && c < whole; c++, src += kChunkBytes) {
      std::memcpy(symbol + c * kChunkBytes, src, kChunkBytes);
    }
    if (end > whole) {
      const size_t half = (symbol_size % kChunkBytes) / 2;
      uint8_t* tail = symbol + whole * kChunkBytes;
      for (size_t j = 0; j < half; j++) {
        tail[j] = src[j];
        tail[half + j] = src[kChunkBytes / 2 + j];
      }
    }
  }
};

template <class B>
const FftKernels* make_kernels() {
  static const FftKernels kernels = {&fft_loop<B>,       &ifft_loop<B>,      &xor_rows_loop<B>,
                                     &B::load_chunks, &B::store_chunks};
  return &kernels;
}

}  // namespace
}  // namespace floe::rs
