// Background: the work that runs beside the request path for as long as the server serves —
// KMS key deletion and rotation, the 90-day CloudTrail event history sweep, CloudWatch Logs
// retention and compaction (logs::Background), and CloudTrail delivery: S3 log files, signed
// digest files and CloudWatch Logs events, as cloudtrail.amazonaws.com through the stores'
// InternalCaller (services/cloudtrail/sinks.h). Started by the constructor, stopped by the
// destructor (the deliverer flushes what is due).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "app/stores.h"
#include "common/mutex.h"
#include "logs/background.h"
#include "services/cloudtrail/sinks.h"
#include "trail/deliverer.h"
#include "trail/digest_writer.h"

namespace kiroku::app {

struct BackgroundOptions {
  std::chrono::milliseconds trail_s3_interval{5000};  // CloudTrail gathers records this long
  std::chrono::milliseconds trail_cwl_delay{200};     // ... and batches for CloudWatch Logs
  std::chrono::seconds trail_digest_interval{60};     // digest files (AWS: 1 h)
  std::chrono::seconds upkeep_period{60};             // KMS, history and logs sweeps
};

// Runs each task once at start, then every `period`, until destroyed.
class PeriodicTasks {
 public:
  using Task = std::function<void()>;
  PeriodicTasks(std::vector<Task> tasks, std::chrono::seconds period);
  ~PeriodicTasks();

 private:
  void Run();

  const std::vector<Task> tasks_;
  const std::chrono::seconds period_;
  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts after the members it uses
};

class Background {
 public:
  // `stores` must outlive this object.
  Background(Stores& stores, const BackgroundOptions& options);
  ~Background();

 private:
  PeriodicTasks upkeep_;
  logs::Background logs_;
  services::S3LogFileSink trail_s3_sink_;
  services::RoleCloudWatchLogsSink trail_cwl_sink_;
  // Declared before the deliverer, which feeds it: it outlives the deliverer's last call.
  trail::DigestWriter digest_writer_;
  trail::Deliverer deliverer_;
};

}  // namespace kiroku::app
