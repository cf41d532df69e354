// TrailStore: trail configurations and their delivery status, in the "meta" column family.
// A trail is identified by (account, home region, name). A multi-region trail's name is taken
// in every region (its "shadow trails"), so names are checked across regions on create.
// Thread-safe. generation() changes after every configuration change, so readers that cache
// the trail list (the delivery router) know when to reload.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "common/mutex.h"
#include "common/status.h"
#include "store/db.h"
#include "trail/trail.h"

namespace kiroku::trail {

inline constexpr size_t kMaxTrailsPerRegion = 5;

class TrailStore {
 public:
  static constexpr std::string_view kColumnFamily = "meta";

  // `db` must outlive the store.
  explicit TrailStore(store::Db& db) : db_(db) {}

  // Errors: AlreadyExists (TrailAlreadyExistsException) when the name is taken in a region the
  // new trail covers (or a multi-region trail of that name exists); LimitExceeded
  // (MaximumNumberOfTrailsExceededException) beyond kMaxTrailsPerRegion in a covered region.
  Status Create(const TrailConfig& trail);
  // Replaces an existing trail's configuration (NotFound: TrailNotFoundException). A trail
  // that becomes multi-region must have room in every region, as on Create.
  Status Update(const TrailConfig& trail);
  // Read-modify-write of one trail's configuration, serialised with every other configuration
  // change: `change` gets the current configuration and may refuse (its error is returned and
  // nothing is written). It must not call back into the store. The account, home region and
  // name cannot change. Returns the stored configuration.
  Result<TrailConfig> Modify(std::string_view account, std::string_view home_region,
                             std::string_view name,
                             const std::function<Status(TrailConfig&)>& change);
  // Deletes the trail and its status (NotFound: TrailNotFoundException).
  Status Delete(std::string_view account, std::string_view home_region, std::string_view name);

  // The trail with this home region and name (NotFound: TrailNotFoundException).
  Result<TrailConfig> Get(std::string_view account, std::string_view home_region,
                          std::string_view name) const;
  // Every trail of the account, all home regions, ordered by name then region.
  Result<std::vector<TrailConfig>> List(std::string_view account) const;
  // Every trail of every account (delivery).
  Result<std::vector<TrailConfig>> ListAll() const;
  // The trails visible in `region`: those whose home it is, plus multi-region trails of other
  // regions (shadow trails) when `include_shadow`.
  Result<std::vector<TrailConfig>> Visible(std::string_view account, std::string_view region,
                                           bool include_shadow) const;
  // A trail by name or ARN as seen from `region`: its own trail of that name, else a
  // multi-region trail of that name homed elsewhere (NotFound: TrailNotFoundException).
  Result<TrailConfig> Find(std::string_view account, std::string_view region,
                           std::string_view name_or_arn) const;

  Result<TrailStatus> GetStatus(const TrailConfig& trail) const;
  // Read-modify-write of the status (serialised within this process).
  Status UpdateStatus(const TrailConfig& trail, const std::function<void(TrailStatus&)>& change);

  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

 private:
  Status UpdateLocked(const TrailConfig& trail) REQUIRES(config_mu_);

  store::Db& db_;
  Mutex status_mu_;
  Mutex config_mu_;  // create/update/delete: name checks and limits are read-then-write
  std::atomic<uint64_t> generation_{1};
};

}  // namespace kiroku::trail
