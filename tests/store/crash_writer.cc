// store_crash_writer DIR THREADS: the victim of crash_test.cc. Opens a RocksStore in DIR and
// writes numbered records from THREADS threads forever, continuing after the highest number
// already stored. Each record is one batch over two column families; the number is printed on
// stdout (one line, written with write(2), so nothing sits in a stdio buffer) only after Write()
// returned OK. The test SIGKILLs this process and checks every printed number survived.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "store/crash_record.h"
#include "store/keys.h"
#include "store/rocks_store.h"

using kiroku::store::Direction;
using kiroku::store::KeyReader;
using kiroku::store::Range;
using kiroku::store::RocksStore;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DIR THREADS\n", argv[0]);
    return 2;
  }
  auto db =
      RocksStore::Open(argv[1], {kiroku::store::crash::kRecords, kiroku::store::crash::kIndex});
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.status().ToString().c_str());
    return 1;
  }
  uint64_t next = 0;
  kiroku::Status s = (*db)->Scan(kiroku::store::crash::kRecords, Range::All(), Direction::kReverse,
                                 [&](std::string_view key, std::string_view) {
                                   next = KeyReader(key).U64().value() + 1;
                                   return false;
                                 });
  if (!s.ok()) return 1;

  std::atomic<uint64_t> counter{next};
  std::vector<std::thread> threads;
  const int n = std::atoi(argv[2]);
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&] {
      for (;;) {
        const uint64_t i = counter.fetch_add(1);
        kiroku::Status st = (*db)->Write(kiroku::store::crash::RecordBatch(i));
        if (!st.ok()) {
          std::fprintf(stderr, "write %llu: %s\n", static_cast<unsigned long long>(i),
                       st.ToString().c_str());
          std::_Exit(1);
        }
        std::string line = std::to_string(i) + "\n";
        // One write(2) per line: atomic for pipe writes below PIPE_BUF, so lines never interleave.
        if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
          std::_Exit(1);
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return 0;
}
