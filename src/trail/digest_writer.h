// DigestWriter: log file integrity validation. For every trail with LogFileValidationEnabled it
// writes a signed digest file (trail/digest_file.h) per source region every `interval`, listing
// the log files delivered in that interval — also when there were none, as AWS does — and
// chained to the previous digest of the same (trail, region) by its S3 location, hash and
// signature. Digests are signed with the source region's key (SigningKeys), which
// ListPublicKeys in that region returns.
//
// Durable: the Deliverer hands each delivered log file to OnLogFile, whose pending entry is
// committed atomically with the file's removal from the delivery queue; a digest's pending
// entries are removed atomically with the chain's new state (start time and previous-digest
// link). Both live in the "meta" column family (docs/storage-keys.md), so neither a log file
// nor the chain is lost across restarts. A chain ends when its trail stops logging, turns
// validation off or is deleted (after a final digest for files still pending); a later start
// begins a new chain (previousDigest* null), as on AWS.
//
// Failures go to the trail's status (LatestDigestDeliveryError) and are retried with
// exponential backoff; a success sets LatestDigestDeliveryTime and clears the error.
//
// Thread-safe: OnLogFile runs on the Deliverer's thread, passes on the writer's own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "common/clock.h"
#include "common/mutex.h"
#include "common/status.h"
#include "store/db.h"
#include "trail/deliverer.h"
#include "trail/digest_file.h"
#include "trail/signing_keys.h"
#include "trail/trail_store.h"

namespace kiroku::trail {

struct DigestOptions {
  std::chrono::seconds interval{60};  // AWS: one hour
  std::chrono::milliseconds max_backoff{60000};
};

class DigestWriter final : public LogFileObserver {
 public:
  static constexpr std::string_view kColumnFamily = "meta";

  // All must outlive the writer. Start() launches the worker thread.
  DigestWriter(TrailStore& trails, store::Db& db, SigningKeys& keys, DigestFileSink& sink,
               const Clock& clock, DigestOptions options = {});
  ~DigestWriter();  // Stop()
  DigestWriter(const DigestWriter&) = delete;
  DigestWriter& operator=(const DigestWriter&) = delete;

  void OnLogFile(const DeliveredLogFile& file, store::WriteBatch& batch) override;

  void Start();
  void Stop();

  // One pass: starts chains for trails that newly need them and writes every digest that is
  // due (`force`: every chain whose interval is at least one second old, ignoring `interval`
  // but not the backoff). Used by the worker and by tests.
  void RunOnce(bool force);

 private:
  struct ChainId {
    std::string account, home_region, name, region;
    auto operator<=>(const ChainId&) const = default;
  };
  struct ChainState {
    TimePoint start;
    std::optional<DigestLink> previous;
  };
  struct Retry {
    TimePoint next_attempt{};
    std::chrono::milliseconds backoff{0};
  };
  Result<std::map<ChainId, ChainState>> LoadChains() const;
  Status PendingChains(std::map<ChainId, ChainState>& chains, TimePoint now);
  // NotFound when there is nothing to digest and the chain is not `active` (it ends).
  Status WriteDigest(const TrailConfig& trail, const ChainId& id, const ChainState& state,
                     TimePoint end, bool active);
  void Run();

  TrailStore& trails_;
  store::Db& db_;
  SigningKeys& keys_;
  DigestFileSink& sink_;
  const Clock& clock_;
  DigestOptions options_;
  Mutex run_mu_;  // one pass at a time
  std::map<ChainId, Retry> retries_ GUARDED_BY(run_mu_);
  Mutex wake_mu_;
  CondVar wake_;  // stop_ was set
  bool stop_ GUARDED_BY(wake_mu_) = false;
  std::thread worker_;
};

}  // namespace kiroku::trail
