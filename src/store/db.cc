#include "store/db.h"

#include "store/keys.h"

namespace kiroku::store {

void WriteBatch::Put(std::string_view cf, std::string_view key, std::string_view value) {
  ops_.push_back(Op{OpKind::kPut, std::string(cf), std::string(key), std::string(value)});
  bytes_ += key.size() + value.size();
}

void WriteBatch::Delete(std::string_view cf, std::string_view key) {
  ops_.push_back(Op{OpKind::kDelete, std::string(cf), std::string(key), std::string()});
  bytes_ += key.size();
}

void WriteBatch::Clear() {
  ops_.clear();
  bytes_ = 0;
}

Range Range::Prefix(std::string_view prefix) {
  return {std::string(prefix), PrefixSuccessor(prefix)};
}

Status Db::Put(std::string_view cf, std::string_view key, std::string_view value) {
  WriteBatch batch;
  batch.Put(cf, key, value);
  return Write(batch);
}

Status Db::Delete(std::string_view cf, std::string_view key) {
  WriteBatch batch;
  batch.Delete(cf, key);
  return Write(batch);
}

Status Db::CompareAndSet(std::string_view cf, std::string_view key,
                         const std::optional<std::string>& expected,
                         const std::optional<std::string>& desired) {
  WriteBatch batch;
  if (desired) {
    batch.Put(cf, key, *desired);
  } else {
    batch.Delete(cf, key);
  }
  return WriteIf({Expectation{std::string(cf), std::string(key), expected}}, batch);
}

Status Db::Scan(std::string_view cf, const Range& range, Direction direction,
                const ScanFn& fn) const {
  ASSIGN_OR_RETURN(std::unique_ptr<Cursor> cursor, NewCursor(cf, range, direction));
  for (; cursor->Valid(); cursor->Next()) {
    if (!fn(cursor->key(), cursor->value())) break;
  }
  return cursor->status();
}

}  // namespace kiroku::store
