// The master key: 32 random bytes that wrap every secret kept in the store (access key secrets,
// session secrets, KMS key material, S3 data keys, trail signing keys). Whoever holds the data
// dir and this key can read every secret; whoever loses the key loses them all.
//
// It lives in <data-dir>/master.key unless the operator keeps it elsewhere (--master-key-file or
// KIROKU_MASTER_KEY_FILE), so that a copy of the data dir does not carry its own key
// (docs/operations-keys.md).
#pragma once

#include <filesystem>

#include "common/status.h"
#include "crypto/secret.h"

namespace kiroku::app {

// Reads the key at `path`, or creates it (mode 0600, created exclusively and synced) when there
// is none and `store_exists` is false. Refuses, with a message that says what to do:
//  - a key file that is not a regular file, or that the group or others may read or write
//    (InvalidArgument: "chmod 600 <path>");
//  - a missing key file while the data dir already holds a store (InvalidArgument: the key
//    that wraps its secrets is elsewhere; a new key would make them unreadable);
//  - a file that does not hold exactly 32 bytes (InvalidArgument).
Result<crypto::SecretBytes> LoadMasterKey(const std::filesystem::path& path, bool store_exists);

// Whether `data_dir` already holds a store (RocksDB's CURRENT file in <data_dir>/db).
bool StoreExists(const std::filesystem::path& data_dir);

}  // namespace kiroku::app
