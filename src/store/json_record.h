// ReadJsonRecord: the one reader of the JSON documents the domain stores keep as RocksDB values
// (users, roles, keys, trails, buckets, ...). A value that is not a JSON object is corruption
// of the store, reported as Status::Internal naming `what` ("user alice"), never a crash.
#pragma once

#include <boost/json.hpp>
#include <string_view>

#include "common/status.h"

namespace kiroku::store {

Result<boost::json::object> ReadJsonRecord(std::string_view value, std::string_view what);

}  // namespace kiroku::store
