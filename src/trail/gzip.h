// Gzip (RFC 1952) compression of whole buffers, for CloudTrail's .json.gz log and digest files.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace kiroku::trail {

// Errors: Internal if zlib fails.
Result<std::string> Gzip(std::string_view data);

}  // namespace kiroku::trail
