#include "store/keys.h"

namespace kiroku::store {
namespace {

// String components: 0x00 inside the string becomes kEscape0 kEscape1; the component ends
// with kEscape0 kTerminator. kTerminator < kEscape1 makes a string sort before any longer
// string it prefixes, whatever component follows it.
constexpr char kEscape0 = '\x00';
constexpr char kEscape1 = '\xff';
constexpr char kTerminator = '\x01';

void AppendBigEndian(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

KeyBuilder& KeyBuilder::Tag(uint8_t tag) {
  key_.push_back(static_cast<char>(tag));
  return *this;
}

KeyBuilder& KeyBuilder::U32(uint32_t v) {
  AppendBigEndian(key_, v, 4);
  return *this;
}

KeyBuilder& KeyBuilder::U64(uint64_t v) {
  AppendBigEndian(key_, v, 8);
  return *this;
}

KeyBuilder& KeyBuilder::I64(int64_t v) {
  // Flipping the sign bit maps INT64_MIN..INT64_MAX onto 0..UINT64_MAX in order.
  AppendBigEndian(key_, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63), 8);
  return *this;
}

KeyBuilder& KeyBuilder::StringPrefix(std::string_view s) {
  for (char c : s) {
    key_.push_back(c);
    if (c == kEscape0) key_.push_back(kEscape1);
  }
  return *this;
}

KeyBuilder& KeyBuilder::String(std::string_view s) {
  StringPrefix(s);
  key_.push_back(kEscape0);
  key_.push_back(kTerminator);
  return *this;
}

std::optional<uint8_t> KeyReader::Tag() {
  if (rest_.empty()) return std::nullopt;
  uint8_t v = static_cast<uint8_t>(rest_[0]);
  rest_.remove_prefix(1);
  return v;
}

namespace {

std::optional<uint64_t> ReadBigEndian(std::string_view& rest, size_t bytes) {
  if (rest.size() < bytes) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(rest[i]);
  rest.remove_prefix(bytes);
  return v;
}

}  // namespace

std::optional<uint32_t> KeyReader::U32() {
  std::optional<uint64_t> v = ReadBigEndian(rest_, 4);
  if (!v) return std::nullopt;
  return static_cast<uint32_t>(*v);
}

std::optional<uint64_t> KeyReader::U64() { return ReadBigEndian(rest_, 8); }

std::optional<int64_t> KeyReader::I64() {
  std::optional<uint64_t> v = ReadBigEndian(rest_, 8);
  if (!v) return std::nullopt;
  return static_cast<int64_t>(*v ^ (uint64_t{1} << 63));
}

std::optional<std::string> KeyReader::String() {
  std::string out;
  for (size_t i = 0; i < rest_.size(); ++i) {
    if (rest_[i] != kEscape0) {
      out.push_back(rest_[i]);
      continue;
    }
    if (i + 1 >= rest_.size()) return std::nullopt;
    if (rest_[i + 1] == kTerminator) {
      rest_.remove_prefix(i + 2);
      return out;
    }
    if (rest_[i + 1] != kEscape1) return std::nullopt;
    out.push_back(kEscape0);
    ++i;
  }
  return std::nullopt;  // no terminator
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto last = static_cast<uint8_t>(out.back());
    if (last != 0xff) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace kiroku::store
