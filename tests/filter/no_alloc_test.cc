// Matching must not allocate per event once a thread's scratch has grown: checked by counting
// calls to the global operator new (replaced in this file for the whole test binary).
#include <gtest/gtest.h>

#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "filter/filter_pattern.h"

namespace {
thread_local size_t allocations = 0;
}  // namespace

// Every non-aligned form is replaced, so that allocation and release always pair malloc/free
// (AddressSanitizer checks that pairing).
void* operator new(size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](size_t size) { return operator new(size); }
void* operator new(size_t size, const std::nothrow_t&) noexcept {
  ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](size_t size, const std::nothrow_t& nt) noexcept {
  return operator new(size, nt);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete[](void* p, size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace kiroku::filter {
namespace {

TEST(FilterNoAllocTest, CounterSeesAllocations) {
  const size_t before = allocations;
  auto* s = new std::string(100, 'x');
  delete s;
  EXPECT_GE(allocations - before, 2u);  // the string object and its buffer
}

TEST(FilterNoAllocTest, MatchingAllocatesNothingPerEvent) {
  const char* patterns[] = {
      R"({ $.eventName = "ConsoleLogin" && $.userIdentity.type != "Root" })",
      R"({ $.items[*].id > 2 || $.* = %x.z% || $.missing NOT EXISTS })",
      "[ip, user, ..., status = 4*, bytes > 1000]",
      "ERROR -DEBUG",
      "%ab+c|^x%",
  };
  std::vector<std::string> events;
  for (int i = 0; i < 200; ++i) {
    events.push_back("{\"eventName\":\"" + std::string(i % 3 ? "ConsoleLogin" : "AssumeRole") +
                     "\",\"userIdentity\":{\"type\":\"IAMUser\"},\"items\":[{\"id\":" +
                     std::to_string(i % 5) + "}],\"k\":\"x" + std::string(i % 7, 'y') + "z\"}");
    events.push_back("10.0.0." + std::to_string(i) + " bob GET /x 40" + std::to_string(i % 9) +
                     " " + std::to_string(i * 10) + " ERROR abbc");
  }
  for (const char* text : patterns) {
    Result<FilterPattern> p = FilterPattern::Compile(text);
    ASSERT_TRUE(p.ok()) << text;
    for (const std::string& e : events) (void)p->Matches(e);  // warm the thread's scratch
    size_t matched = 0;
    const std::string buffer = [&] {
      std::string b;
      for (const std::string& e : events) b += e + "\n";
      return b;
    }();
    (void)p->ScanLines(buffer, [](std::string_view) {});
    const size_t before = allocations;
    for (const std::string& e : events) matched += p->Matches(e) ? 1 : 0;
    const size_t scanned = p->ScanLines(buffer, [](std::string_view) {});
    EXPECT_EQ(allocations - before, 0u) << text;
    EXPECT_EQ(scanned, matched) << text;
  }
}

}  // namespace
}  // namespace kiroku::filter
