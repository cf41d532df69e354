// Crash test: a writer process is SIGKILLed at a random moment; every write it was told had
// succeeded must be in the database after reopening, and every record must be all-or-nothing
// across column families. (kill -9 proves nothing is lost from process memory; that the WAL is
// also fsynced before the acknowledgement is checked by RocksStoreTest.WritesAreSyncedToTheWal.)
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <random>
#include <set>
#include <string>

#include "store/crash_record.h"
#include "store/keys.h"
#include "store/rocks_store.h"
#include "testing/temp_dir.h"

namespace kiroku::store {
namespace {

struct RunResult {
  std::set<uint64_t> acknowledged;
  bool killed_by_us = false;
};

// Starts the writer, lets it run for `run_for` after its first acknowledgement, SIGKILLs it and
// collects every number it printed.
RunResult RunAndKill(const std::string& dir, int threads, std::chrono::milliseconds run_for) {
  int fds[2];
  KIROKU_CHECK(::pipe(fds) == 0);
  const std::string thread_arg = std::to_string(threads);
  pid_t pid = ::fork();
  KIROKU_CHECK(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(KIROKU_CRASH_WRITER, KIROKU_CRASH_WRITER, dir.c_str(), thread_arg.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);

  RunResult result;
  std::string pending;
  auto consume = [&](const char* data, ssize_t n) {
    pending.append(data, static_cast<size_t>(n));
    size_t nl;
    while ((nl = pending.find('\n')) != std::string::npos) {
      result.acknowledged.insert(std::stoull(pending.substr(0, nl)));
      pending.erase(0, nl + 1);
    }
  };

  char buf[4096];
  auto deadline = std::chrono::steady_clock::time_point::max();
  bool killed = false;
  for (;;) {
    if (!killed && std::chrono::steady_clock::now() >= deadline) {
      KIROKU_CHECK(::kill(pid, SIGKILL) == 0);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    int wait_ms = killed ? -1 : 5;
    if (::poll(&p, 1, wait_ms) <= 0) continue;
    ssize_t n = ::read(fds[0], buf, sizeof(buf));
    if (n <= 0) break;  // EOF: the writer is gone and the pipe drained
    consume(buf, n);
    if (deadline == std::chrono::steady_clock::time_point::max() && !result.acknowledged.empty()) {
      deadline = std::chrono::steady_clock::now() + run_for;
    }
  }
  ::close(fds[0]);
  int status = 0;
  KIROKU_CHECK(::waitpid(pid, &status, 0) == pid);
  result.killed_by_us = killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  // A partial last line cannot happen: each line is one write(2) smaller than PIPE_BUF.
  EXPECT_TRUE(pending.empty());
  return result;
}

TEST(StoreCrashTest, AcknowledgedWritesSurviveSigkill) {
  testing::TempDir dir;
  const unsigned seed = std::random_device()();
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  std::set<uint64_t> all_acknowledged;

  for (int round = 0; round < 6; ++round) {
    const int threads = round % 2 == 0 ? 1 : 8;
    const auto run_for = std::chrono::milliseconds(std::uniform_int_distribution<>(0, 300)(rng));
    SCOPED_TRACE("round " + std::to_string(round) + ", " + std::to_string(threads) +
                 " threads, killed after " + std::to_string(run_for.count()) + " ms");
    RunResult run = RunAndKill(dir.path(), threads, run_for);
    ASSERT_TRUE(run.killed_by_us) << "the writer exited on its own";
    ASSERT_FALSE(run.acknowledged.empty());
    all_acknowledged.insert(run.acknowledged.begin(), run.acknowledged.end());

    Result<std::unique_ptr<RocksStore>> db =
        RocksStore::Open(dir.path(), {crash::kRecords, crash::kIndex});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    size_t missing = 0;
    for (uint64_t i : all_acknowledged) {
      Result<std::optional<std::string>> v = (*db)->Get(crash::kRecords, crash::RecordKey(i));
      ASSERT_TRUE(v.ok());
      if (*v != crash::Payload(i)) ++missing;
    }
    EXPECT_EQ(missing, 0u) << "of " << all_acknowledged.size() << " acknowledged records";

    // Atomicity: every record present in one column family is present in the other, and
    // unacknowledged in-flight records may exist but only whole.
    size_t records = 0;
    ASSERT_TRUE((*db)
                    ->Scan(crash::kRecords, Range::All(),
                           [&](std::string_view key, std::string_view value) {
                             uint64_t i = KeyReader(key).U64().value();
                             EXPECT_EQ(value, crash::Payload(i));
                             Result<std::optional<std::string>> index =
                                 (*db)->Get(crash::kIndex, crash::IndexKey(i));
                             EXPECT_TRUE(index.ok() && *index == std::to_string(i)) << i;
                             ++records;
                             return true;
                           })
                    .ok());
    size_t index_entries = 0;
    ASSERT_TRUE((*db)
                    ->Scan(crash::kIndex, Range::All(),
                           [&](std::string_view, std::string_view) {
                             ++index_entries;
                             return true;
                           })
                    .ok());
    EXPECT_EQ(records, index_entries);
    EXPECT_GE(records, all_acknowledged.size());
  }
}

}  // namespace
}  // namespace kiroku::store
