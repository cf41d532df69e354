// Gzip (RFC 1952) compression and decompression of whole buffers, for CloudTrail's .json.gz log and
// digest files. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace kiroku::trail {

// Errors: Internal if zlib fails.
Result<std::string> Gzip(std::string_view data);
// The inverse (also reads what S3 users download). InvalidArgument for data that is not one
// complete gzip stream.
Result<std::string> Gunzip(std::string_view data);

}  // namespace kiroku::trail
