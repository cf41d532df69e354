#include "store/json_record.h"

namespace kiroku::store {

Result<boost::json::object> ReadJsonRecord(std::string_view value, std::string_view what) {
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(value, ec);
  if (ec || !parsed.is_object()) {
    return Status::Internal("corrupt record in the store: " + std::string(what));
  }
  return std::move(parsed.as_object());
}

}  // namespace kiroku::store
