// Chunks: the on-disk form of a batch of log events (format: docs/logs.md).
//
//   plaintext  = u32 count, count x {i64 timestamp, i64 ingestion time, u64 eid, u32 length},
//                then each message followed by '\n'
//   stored     = 0x01 || AES-256-GCM(data key, zstd(plaintext), aad = "kiroku-logs-chunk-v1" ||
//   key)
//
// The message area is one newline-separated buffer so that the filter engine's bulk scan
// (FilterPattern::ScanLines) can run over it directly when no message contains a line break.
// Internal to logs/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/secret.h"

namespace kiroku::logs::internal {

struct ChunkEvent {
  int64_t timestamp = 0;
  int64_t ingestion_time = 0;
  uint64_t eid = 0;
  std::string_view message;
};

// A decrypted, decompressed chunk; `events` point into `plain`.
struct DecodedChunk {
  std::string plain;
  std::vector<ChunkEvent> events;
  std::string_view lines;  // every message followed by '\n'
  bool line_safe = true;   // no message holds '\n' or ends in '\r': `lines` may be bulk-scanned
};

// True when `message` can be a line of a bulk-scanned buffer.
bool LineSafe(std::string_view message);

// Serializes, compresses and seals `events` (already in (timestamp, eid) order).
Result<std::string> SealChunk(const crypto::SecretBytes& key, std::string_view chunk_key,
                              const std::vector<ChunkEvent>& events);

// Opens a sealed chunk. InvalidArgument if it was altered, or the key or chunk key differ.
Result<DecodedChunk> OpenChunk(const crypto::SecretBytes& key, std::string_view chunk_key,
                               std::string_view sealed);

}  // namespace kiroku::logs::internal
