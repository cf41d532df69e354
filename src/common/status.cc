#include "common/status.h"

namespace kiroku {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kAccessDenied:
      return "AccessDenied";
    case Code::kUnauthenticated:
      return "Unauthenticated";
    case Code::kLimitExceeded:
      return "LimitExceeded";
    case Code::kConflict:
      return "Conflict";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out = CodeName(code_);
  if (!aws_code_.empty()) out += "(" + aws_code_ + ")";
  out += ": ";
  out += message_;
  return out;
}

}  // namespace kiroku
