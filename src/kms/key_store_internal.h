// Internal to kms/: what the files of KeyStore share — the column family and the keys of its
// records (docs/storage-keys.md), the ARNs it names, the error wording, and the stored form of a
// key. One concept per file: `key_store.cc` (keys: state, policy, rotation, tags, deletion and
// cryptography), `key_aliases.cc`, `key_grants.cc`.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "kms/key_store.h"
#include "store/db.h"

namespace kiroku::kms::internal {

inline constexpr std::string_view kColumnFamily = "meta";

int64_t Seconds(TimePoint t);
TimePoint FromSeconds(int64_t s);

// Keys of one account and region's records: 'M' keys, 'N' aliases, 'O' grants (by key).
std::string KeyRecordKey(const Scope& s, std::string_view key_id);
std::string KeyPrefix(const Scope& s);
std::string AllKeysPrefix();  // every scope's keys
std::string AliasRecordKey(const Scope& s, std::string_view name);
std::string AliasPrefix(const Scope& s);
std::string GrantRecordKey(const Scope& s, std::string_view key_id, std::string_view grant_id);
std::string GrantPrefix(const Scope& s, std::string_view key_id);

std::string KeyArn(const Scope& s, std::string_view key_id);
std::string AliasArn(const Scope& s, std::string_view name);

Status NotFound(std::string message);
Status InvalidState(std::string message);
Status Validation(std::string message);

// Tags and encryption contexts as JSON objects of strings.
boost::json::object StringMapJson(const std::map<std::string, std::string>& map);
std::map<std::string, std::string> StringMapOf(const boost::json::value& v);

// Scans `range` of the column family, handing `fn` each record read with store::ReadJsonRecord
// (return false to stop). A record that is not a JSON object ends the scan with its Internal
// status, named by `what`.
Status ScanRecords(const store::Db& db, const store::Range& range, std::string_view what,
                   const std::function<bool(std::string_view key, const boost::json::object&)>& fn);

}  // namespace kiroku::kms::internal

namespace kiroku::kms {

// A key's stored form: metadata, policy and the wrapped material of every version.
struct KeyStore::Record {
  KeyMetadata meta;
  std::string policy;
  struct Version {
    std::string wrapped_material;
    std::string material_id;
    TimePoint created;
    std::string rotation_type;  // "" for the original material
  };
  std::vector<Version> versions;
  std::string raw;  // the stored JSON this record was read from (for compare-and-set)

  boost::json::object ToJson() const;
  // Internal (named by `what`) when `raw` is not a key record.
  static Result<Record> FromJson(std::string raw, std::string_view what);
};

}  // namespace kiroku::kms
