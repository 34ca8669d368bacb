// What every fuzz target asserts with: a failed property aborts, which libFuzzer reports as a
// crash with the input that caused it (assert() would vanish under NDEBUG).
#pragma once

#include <cstdlib>

namespace hayate::fuzz {

inline void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace hayate::fuzz
