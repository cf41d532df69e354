// The records store_crash_writer writes and crash_test.cc checks.
#pragma once

#include <cstdint>
#include <string>

#include "store/db.h"
#include "store/keys.h"

namespace kiroku::store::crash {

inline constexpr char kRecords[] = "records";
inline constexpr char kIndex[] = "index";

// A deterministic ~200-byte payload, so a torn or wrong value is detected.
inline std::string Payload(uint64_t i) {
  std::string p = "record-" + std::to_string(i) + "-";
  while (p.size() < 200) p += static_cast<char>('a' + (i + p.size()) % 26);
  return p;
}

inline std::string RecordKey(uint64_t i) { return KeyBuilder().U64(i).Build(); }
inline std::string IndexKey(uint64_t i) { return KeyBuilder().Tag('i').U64(i).Build(); }

// One atomic batch over both column families.
inline WriteBatch RecordBatch(uint64_t i) {
  WriteBatch batch;
  batch.Put(kRecords, RecordKey(i), Payload(i));
  batch.Put(kIndex, IndexKey(i), std::to_string(i));
  return batch;
}

}  // namespace kiroku::store::crash
