#include "trail/trail_store.h"

#include "common/arn.h"
#include "store/json_record.h"
#include "store/keys.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

constexpr uint8_t kTrailTag = 'T';   // config: Tag('T') String(account) String(name) String(region)
constexpr uint8_t kStatusTag = 't';  // status: Tag('t') String(account) String(name) String(region)

std::string Key(uint8_t tag, std::string_view account, std::string_view name,
                std::string_view region) {
  return store::KeyBuilder().Tag(tag).String(account).String(name).String(region).Build();
}

Status NotFound(std::string_view name, std::string_view account) {
  return Status::NotFound("Unknown trail: " + std::string(name) +
                          " for the user: " + std::string(account))
      .WithAwsCode("TrailNotFoundException");
}

Status AlreadyExists(const TrailConfig& trail) {
  return Status::AlreadyExists("Trail " + trail.name +
                               " already exists for customer: " + trail.account_id)
      .WithAwsCode("TrailAlreadyExistsException");
}

bool Covers(const TrailConfig& t, std::string_view region) {
  return t.multi_region || t.home_region == region;
}

// Whether `trail` fits beside `others` (the account's other trails): its name is free in every
// region it covers, and none of those regions would hold more than five trails.
Status CheckRoom(const std::vector<TrailConfig>& others, const TrailConfig& trail) {
  for (const TrailConfig& t : others) {
    if (t.name != trail.name) continue;
    if (t.home_region == trail.home_region || t.multi_region || trail.multi_region) {
      return AlreadyExists(trail);
    }
  }
  // Each region holds at most five trails, shadow trails included.
  std::vector<std::string> regions{trail.home_region};
  if (trail.multi_region) {
    for (const TrailConfig& t : others) regions.push_back(t.home_region);
  }
  for (const std::string& region : regions) {
    size_t count = 1;
    for (const TrailConfig& t : others) count += Covers(t, region) ? 1 : 0;
    if (count > kMaxTrailsPerRegion) {
      return Status::LimitExceeded("User: " + trail.account_id + " already has 5 trails in " +
                                   region + ".")
          .WithAwsCode("MaximumNumberOfTrailsExceededException");
    }
  }
  return Status::Ok();
}

Result<std::vector<TrailConfig>> ScanTrails(const store::Db& db, const std::string& prefix) {
  std::vector<TrailConfig> out;
  Status error;
  RETURN_IF_ERROR(db.Scan(TrailStore::kColumnFamily, store::Range::Prefix(prefix),
                          [&](std::string_view, std::string_view value) {
                            auto record = store::ReadJsonRecord(value, "trail");
                            if (!record.ok()) {
                              error = record.status();
                              return false;
                            }
                            auto trail = TrailConfig::FromJson(*record);
                            if (!trail.ok()) {
                              error = trail.status();
                              return false;
                            }
                            out.push_back(std::move(*trail));
                            return true;
                          }));
  RETURN_IF_ERROR(error);
  return out;
}

}  // namespace

Status TrailStore::Create(const TrailConfig& trail) {
  MutexLock lock(config_mu_);
  ASSIGN_OR_RETURN(std::vector<TrailConfig> existing, List(trail.account_id));
  RETURN_IF_ERROR(CheckRoom(existing, trail));
  std::string key = Key(kTrailTag, trail.account_id, trail.name, trail.home_region);
  store::WriteBatch batch;
  batch.Put(kColumnFamily, key, json::serialize(trail.ToJson()));
  batch.Put(kColumnFamily, Key(kStatusTag, trail.account_id, trail.name, trail.home_region),
            json::serialize(TrailStatus().ToJson()));
  Status s = db_.WriteIf({{std::string(kColumnFamily), key, std::nullopt}}, batch);
  if (s.code() == Code::kConflict) return AlreadyExists(trail);
  RETURN_IF_ERROR(s);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return Status::Ok();
}

Status TrailStore::Update(const TrailConfig& trail) {
  MutexLock lock(config_mu_);
  return UpdateLocked(trail);
}

Result<TrailConfig> TrailStore::Modify(std::string_view account, std::string_view home_region,
                                       std::string_view name,
                                       const std::function<Status(TrailConfig&)>& change) {
  MutexLock lock(config_mu_);
  ASSIGN_OR_RETURN(TrailConfig trail, Get(account, home_region, name));
  RETURN_IF_ERROR(change(trail));
  if (trail.account_id != account || trail.home_region != home_region || trail.name != name) {
    return Status::Internal("TrailStore::Modify cannot rename or move a trail");
  }
  RETURN_IF_ERROR(UpdateLocked(trail));
  return trail;
}

Status TrailStore::UpdateLocked(const TrailConfig& trail) {
  std::string key = Key(kTrailTag, trail.account_id, trail.name, trail.home_region);
  ASSIGN_OR_RETURN(std::optional<std::string> current, db_.Get(kColumnFamily, key));
  if (!current) return NotFound(trail.name, trail.account_id);
  if (trail.multi_region) {
    // Becoming multi-region claims the name and a place in every region.
    ASSIGN_OR_RETURN(std::vector<TrailConfig> others, List(trail.account_id));
    std::erase_if(others, [&](const TrailConfig& t) {
      return t.name == trail.name && t.home_region == trail.home_region;
    });
    RETURN_IF_ERROR(CheckRoom(others, trail));
  }
  RETURN_IF_ERROR(db_.Put(kColumnFamily, key, json::serialize(trail.ToJson())));
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return Status::Ok();
}

Status TrailStore::Delete(std::string_view account, std::string_view home_region,
                          std::string_view name) {
  MutexLock lock(config_mu_);
  std::string key = Key(kTrailTag, account, name, home_region);
  ASSIGN_OR_RETURN(std::optional<std::string> current, db_.Get(kColumnFamily, key));
  if (!current) return NotFound(name, account);
  store::WriteBatch batch;
  batch.Delete(kColumnFamily, key);
  batch.Delete(kColumnFamily, Key(kStatusTag, account, name, home_region));
  RETURN_IF_ERROR(db_.Write(batch));
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return Status::Ok();
}

Result<TrailConfig> TrailStore::Get(std::string_view account, std::string_view home_region,
                                    std::string_view name) const {
  ASSIGN_OR_RETURN(std::optional<std::string> value,
                   db_.Get(kColumnFamily, Key(kTrailTag, account, name, home_region)));
  if (!value) return NotFound(name, account);
  ASSIGN_OR_RETURN(json::object record,
                   store::ReadJsonRecord(*value, "trail " + std::string(name)));
  return TrailConfig::FromJson(record);
}

Result<std::vector<TrailConfig>> TrailStore::List(std::string_view account) const {
  return ScanTrails(db_, store::KeyBuilder().Tag(kTrailTag).String(account).Build());
}

Result<std::vector<TrailConfig>> TrailStore::ListAll() const {
  return ScanTrails(db_, store::KeyBuilder().Tag(kTrailTag).Build());
}

Result<std::vector<TrailConfig>> TrailStore::Visible(std::string_view account,
                                                     std::string_view region,
                                                     bool include_shadow) const {
  ASSIGN_OR_RETURN(std::vector<TrailConfig> all, List(account));
  std::vector<TrailConfig> out;
  for (TrailConfig& t : all) {
    if (t.home_region == region || (include_shadow && t.multi_region)) out.push_back(std::move(t));
  }
  return out;
}

Result<TrailConfig> TrailStore::Find(std::string_view account, std::string_view region,
                                     std::string_view name_or_arn) const {
  if (name_or_arn.starts_with("arn:")) {
    // arn:<partition>:cloudtrail:<region>:<account>:trail/<name>
    std::optional<kiroku::Arn> arn = kiroku::Arn::Parse(name_or_arn);
    if (!arn || arn->service != "cloudtrail" || arn->account != account ||
        !arn->resource.starts_with("trail/")) {
      return NotFound(name_or_arn, account);
    }
    auto trail = Get(account, arn->region, std::string_view(arn->resource).substr(6));
    if (!trail.ok() && trail.status().code() == Code::kNotFound) {
      return NotFound(name_or_arn, account);
    }
    return trail;
  }
  auto own = Get(account, region, name_or_arn);
  if (own.ok() || own.status().code() != Code::kNotFound) return own;
  ASSIGN_OR_RETURN(std::vector<TrailConfig> all, List(account));
  for (TrailConfig& t : all) {
    if (t.name == name_or_arn && t.multi_region) return std::move(t);
  }
  return NotFound(name_or_arn, account);
}

Result<TrailStatus> TrailStore::GetStatus(const TrailConfig& trail) const {
  ASSIGN_OR_RETURN(
      std::optional<std::string> value,
      db_.Get(kColumnFamily, Key(kStatusTag, trail.account_id, trail.name, trail.home_region)));
  if (!value) return TrailStatus();
  ASSIGN_OR_RETURN(json::object record,
                   store::ReadJsonRecord(*value, "status of trail " + trail.name));
  return TrailStatus::FromJson(record);
}

Status TrailStore::UpdateStatus(const TrailConfig& trail,
                                const std::function<void(TrailStatus&)>& change) {
  MutexLock lock(status_mu_);
  std::string config_key = Key(kTrailTag, trail.account_id, trail.name, trail.home_region);
  ASSIGN_OR_RETURN(std::optional<std::string> exists, db_.Get(kColumnFamily, config_key));
  if (!exists)
    return NotFound(trail.name, trail.account_id);  // deleted meanwhile: nothing to report on
  ASSIGN_OR_RETURN(TrailStatus status, GetStatus(trail));
  const bool was_logging = status.is_logging;
  change(status);
  RETURN_IF_ERROR(db_.Put(kColumnFamily,
                          Key(kStatusTag, trail.account_id, trail.name, trail.home_region),
                          json::serialize(status.ToJson())));
  // Whether a trail logs decides what the router queues for it.
  if (status.is_logging != was_logging) generation_.fetch_add(1, std::memory_order_acq_rel);
  return Status::Ok();
}

}  // namespace kiroku::trail
