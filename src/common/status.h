// Status and Result<T>: how every fallible function in kiroku reports failure.
// A Status is OK or carries a generic Code, a message and, optionally, the AWS error code to
// use when the generic mapping (aws/errors.cc) would pick the wrong one. Exceptions never cross
// a module boundary; library exceptions are converted to Status at the call that throws.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/check.h"

namespace kiroku {

enum class Code {
  kOk,
  kInvalidArgument,  // the caller's input is wrong (400)
  kNotFound,         // the named resource does not exist
  kAlreadyExists,    // a resource with that name exists
  kAccessDenied,     // authorization said no
  kUnauthenticated,  // the request's identity could not be established
  kLimitExceeded,    // a quota was reached
  kConflict,         // the resource is in a state that forbids the call
  kUnavailable,      // try again later
  kInternal,         // a bug or an I/O failure
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status AccessDenied(std::string msg) { return {Code::kAccessDenied, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) {
    return {Code::kUnauthenticated, std::move(msg)};
  }
  static Status LimitExceeded(std::string msg) { return {Code::kLimitExceeded, std::move(msg)}; }
  static Status Conflict(std::string msg) { return {Code::kConflict, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The AWS error code to report instead of the generic one, or empty.
  const std::string& aws_code() const { return aws_code_; }

  // Names the service-specific AWS error code, e.g. "KMSInvalidStateException".
  Status WithAwsCode(std::string aws_code) && {
    aws_code_ = std::move(aws_code);
    return std::move(*this);
  }
  Status WithAwsCode(std::string aws_code) const& {
    Status copy = *this;
    copy.aws_code_ = std::move(aws_code);
    return copy;
  }

  std::string ToString() const;

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string aws_code_;
};

// Result<T> holds a T or a non-OK Status (like absl::StatusOr).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    KIROKU_CHECK(!status_.ok());
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  T& value() & {
    KIROKU_CHECK(ok());
    return *value_;
  }
  const T& value() const& {
    KIROKU_CHECK(ok());
    return *value_;
  }
  T&& value() && {
    KIROKU_CHECK(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace kiroku

#define KIROKU_CONCAT_INNER(a, b) a##b
#define KIROKU_CONCAT(a, b) KIROKU_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                     \
  do {                                            \
    if (::kiroku::Status s_ = (expr); !s_.ok()) { \
      return s_;                                  \
    }                                             \
  } while (0)

// ASSIGN_OR_RETURN(auto x, Foo()); declares x from a Result or returns its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(KIROKU_CONCAT(result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
