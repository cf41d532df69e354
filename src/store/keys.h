// Order-preserving key encoding (the rules are written down in docs/storage-keys.md).
//
// A key is a sequence of typed components. The encodings are chosen so that comparing encoded
// keys byte-wise (as every store::Db does) orders them like comparing the component tuples:
//   - unsigned integers: fixed-width big-endian;
//   - signed integers: big-endian with the sign bit flipped (negatives sort first);
//   - strings: bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01, so "a" < "a\0"
//     < "ab" holds and a string may contain any byte;
//   - tags: one raw byte, used to name a key space ("u" for users, ...).
// Pure value types; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace kiroku::store {

// Builds an encoded key by appending components:
//   std::string k = KeyBuilder().Tag('e').String(group).String(stream).U64(ts).Build();
class KeyBuilder {
 public:
  KeyBuilder() = default;
  // Starts from an already encoded key (or key prefix).
  explicit KeyBuilder(std::string_view encoded) : key_(encoded) {}

  KeyBuilder& Tag(uint8_t tag);
  KeyBuilder& U8(uint8_t v) { return Tag(v); }
  KeyBuilder& U32(uint32_t v);
  KeyBuilder& U64(uint64_t v);
  KeyBuilder& I64(int64_t v);
  KeyBuilder& String(std::string_view s);
  // The escaped bytes of `s` without the terminator: a key prefix matching every String
  // component that starts with `s` (for "name begins with" scans via Range::Prefix).
  KeyBuilder& StringPrefix(std::string_view s);

  const std::string& key() const { return key_; }
  std::string Build() && { return std::move(key_); }
  std::string Build() const& { return key_; }

 private:
  std::string key_;
};

// Reads components back in the order they were written. Each Read* returns nullopt (and
// leaves the reader in an unspecified position) if the remaining bytes do not hold that type.
class KeyReader {
 public:
  explicit KeyReader(std::string_view encoded) : rest_(encoded) {}

  std::optional<uint8_t> Tag();
  std::optional<uint32_t> U32();
  std::optional<uint64_t> U64();
  std::optional<int64_t> I64();
  std::optional<std::string> String();

  bool done() const { return rest_.empty(); }
  std::string_view remaining() const { return rest_; }

 private:
  std::string_view rest_;
};

// The smallest key greater than every key starting with `prefix`, or "" if there is none
// (prefix empty or all 0xFF): the exclusive limit of a prefix scan.
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace kiroku::store
