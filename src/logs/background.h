// Background: the periodic upkeep of CloudWatch Logs data — the retention sweep (chunks whose
// newest event is older than the group's retention are deleted) and the compactor (small chunks
// of a stream are merged). Runs once right after construction, then every `period`, on its own
// thread, until destroyed.
#pragma once

#include <chrono>
#include <thread>

#include "common/mutex.h"
#include "logs/log_store.h"

namespace kiroku::logs {

class Background {
 public:
  // `store` must outlive this object.
  Background(LogStore& store, std::chrono::seconds period);
  ~Background();

 private:
  void Run();

  LogStore& store_;
  std::chrono::seconds period_;
  Mutex mu_;
  CondVar cv_;  // stop_ was set
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts after the members it uses
};

}  // namespace kiroku::logs
