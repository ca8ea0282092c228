// A small, fast, seedable random number generator for the synthetic data generators. The same
// seed gives the same sequence on every platform and build (no std::*_distribution, whose output
// the standard leaves to the library), which is what makes generated data reproducible.
// Not for anything secret.
#pragma once

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"

namespace planapi::synth {

// Mixes 64 bits (SplitMix64's finaliser); used to derive independent streams from (seed, index).
constexpr uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A stable 64-bit hash of text (FNV-1a, then mixed), to name random streams.
constexpr uint64_t HashText(absl::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  }
  return Mix(h);
}

// xoshiro256** seeded through SplitMix64. Not thread-safe; one per stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) {
      seed = Mix(seed);
      s = seed;
    }
  }
  // A stream for item `index` of kind `stream` under `seed`: the same whatever else is drawn.
  Rng(uint64_t seed, absl::string_view stream, int64_t index)
      : Rng(Mix(seed ^ HashText(stream)) ^ Mix(static_cast<uint64_t>(index) * 0x9e37ULL + 1)) {}

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, n); n > 0. The modulo bias is far below anything test data can notice.
  size_t Below(size_t n) { return static_cast<size_t>(Next() % n); }
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  // Roughly normal (sum of uniforms), for plausible lab values and vitals.
  double Normal(double mean, double sd) {
    double sum = 0;
    for (int i = 0; i < 6; ++i) {
      sum += Unit();
    }
    return mean + (sum - 3.0) * sd * 1.41421356;
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

}  // namespace planapi::synth
