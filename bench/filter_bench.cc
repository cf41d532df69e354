// Filter-pattern throughput over realistic CloudTrail records (bench/cloudtrail_gen.h).
// Input: the file named by $KIROKU_BENCH_FILE (scripts/bench-filter.sh generates >= 1 GB under
// build/), else 64 MB generated in memory. Each iteration scans the whole input once with
// FilterPattern::ScanLines on the calling thread; bytes_per_second is the scan rate.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cloudtrail_gen.h"
#include "filter/filter_pattern.h"
#include "filter/literal_search.h"

namespace kiroku::filter {
namespace {

std::string_view Input() {
  static const std::string_view input = [] {
    if (const char* path = std::getenv("KIROKU_BENCH_FILE"); path != nullptr && *path != '\0') {
      const int fd = open(path, O_RDONLY);
      struct stat st;
      if (fd < 0 || fstat(fd, &st) != 0) {
        std::perror(path);
        std::exit(2);
      }
      void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                     MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p == MAP_FAILED) {
        std::perror("mmap");
        std::exit(2);
      }
      close(fd);
      return std::string_view(static_cast<const char*>(p), static_cast<size_t>(st.st_size));
    }
    static std::string generated;
    bench::CloudTrailGenerator gen;
    gen.AppendLines(64 << 20, &generated);
    return std::string_view(generated);
  }();
  return input;
}

void Scan(benchmark::State& state, const char* text) {
  Result<FilterPattern> pattern = FilterPattern::Compile(text);
  if (!pattern.ok()) {
    state.SkipWithError(pattern.status().message().c_str());
    return;
  }
  const std::string_view input = Input();
  size_t matches = 0;
  for (auto _ : state) {
    matches =
        pattern->ScanLines(input, [](std::string_view line) { benchmark::DoNotOptimize(line); });
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["matches"] = static_cast<double>(matches);
  state.counters["input_MB"] = static_cast<double>(input.size()) / (1 << 20);
}

// Selective: the required literal "ConsoleLogin" is searched across the buffer; only lines
// holding it are parsed.
void BM_FilterSelectiveJson(benchmark::State& state) {
  Scan(state, R"({ $.eventName = "ConsoleLogin" })");
}
// No literal is required by both branches of the ||, so every event is parsed.
void BM_FilterParseEveryEvent(benchmark::State& state) {
  Scan(state, R"({ $.responseElements.x > 100 || $.userIdentity.type = "Root" })");
}
// CIS CloudWatch.1 (root account usage).
void BM_FilterCisRootUsage(benchmark::State& state) {
  Scan(
      state,
      R"({ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" })");
}
// CIS CloudWatch.2 (unauthorized API calls): an || of wildcards, prefiltered by two literals.
void BM_FilterCisUnauthorized(benchmark::State& state) {
  Scan(state, R"({ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") })");
}
void BM_FilterWildcardSelector(benchmark::State& state) {
  Scan(state, R"({ $.resources[*].type = "AWS::KMS::Key" && $.eventName = Decrypt })");
}
void BM_FilterTerms(benchmark::State& state) { Scan(state, "AccessDenied -ListRoles"); }
void BM_FilterRegex(benchmark::State& state) { Scan(state, "%ConsoleLogin.{0,300}Failure%"); }
void BM_FilterMatchAll(benchmark::State& state) { Scan(state, ""); }

// The per-event API (Matches), which copies each JSON event into padded scratch.
void BM_FilterMatchesPerEvent(benchmark::State& state) {
  Result<FilterPattern> pattern =
      FilterPattern::Compile(R"({ $.responseElements.x > 100 || $.userIdentity.type = "Root" })");
  const std::string_view input = Input().substr(0, 64 << 20);
  size_t matches = 0, bytes = 0;
  for (auto _ : state) {
    matches = 0;
    bytes = 0;
    for (size_t pos = 0; pos < input.size();) {
      size_t nl = input.find('\n', pos);
      if (nl == std::string_view::npos) nl = input.size();
      matches += pattern->Matches(input.substr(pos, nl - pos)) ? 1 : 0;
      bytes = nl;
      pos = nl + 1;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["matches"] = static_cast<double>(matches);
}

// The prefilter alone: counting occurrences of either literal of the selective JSON pattern,
// in one pass (FindAny) or one pass per literal (Find, keeping each literal's next hit).
const std::vector<LiteralSearcher>& SelectiveNeedles() {
  static const std::vector<LiteralSearcher> needles{LiteralSearcher("ConsoleLogin"),
                                                    LiteralSearcher("\\u")};
  return needles;
}
void BM_LiteralFindAny(benchmark::State& state) {
  const std::string_view input = Input();
  size_t hits = 0;
  for (auto _ : state) {
    hits = 0;
    for (size_t pos = 0;;) {
      const size_t f = FindAny(SelectiveNeedles(), input.substr(pos));
      if (f == LiteralSearcher::npos) break;
      ++hits;
      pos += f + 1;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["hits"] = static_cast<double>(hits);
}
void BM_LiteralFindEach(benchmark::State& state) {
  const std::string_view input = Input();
  size_t hits = 0;
  for (auto _ : state) {
    hits = 0;
    for (const LiteralSearcher& nd : SelectiveNeedles()) {
      for (size_t pos = 0;;) {
        const size_t f = nd.Find(input.substr(pos));
        if (f == LiteralSearcher::npos) break;
        ++hits;
        pos += f + 1;
      }
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["hits"] = static_cast<double>(hits);
}

void BM_FilterCompile(benchmark::State& state) {
  for (auto _ : state) {
    Result<FilterPattern> p = FilterPattern::Compile(
        R"({ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") })");
    benchmark::DoNotOptimize(p);
  }
}

BENCHMARK(BM_FilterSelectiveJson)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterParseEveryEvent)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterCisRootUsage)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterCisUnauthorized)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterWildcardSelector)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterTerms)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterRegex)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterMatchAll)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterMatchesPerEvent)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LiteralFindAny)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LiteralFindEach)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FilterCompile);

}  // namespace
}  // namespace kiroku::filter

BENCHMARK_MAIN();
