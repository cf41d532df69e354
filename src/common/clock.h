// Clock: the one source of "now". Only app/ constructs SystemClock; everything else receives a
// `const Clock&` so tests can use FakeClock (tests/testing/fake_clock.h).
#pragma once

#include <chrono>
#include <cstdint>

namespace kiroku {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;

  int64_t NowMillis() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Now().time_since_epoch()).count();
  }
};

// Wall-clock time. Thread-safe.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::system_clock::now(); }
};

}  // namespace kiroku
