// Logging: spdlog, one process-wide logger. Request lines go at debug level; the startup banner
// and lifecycle at info. Never log secrets, plaintext or signatures.
#pragma once

#include <spdlog/spdlog.h>

namespace kiroku {

// Sets the global level from a name ("trace", "debug", "info", "warn", "error", "off").
// Unknown names leave the level unchanged and return false.
bool SetLogLevel(std::string_view level);

}  // namespace kiroku
