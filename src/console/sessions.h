// SessionTable: signed-in console sessions. A session is named by a random 256-bit token that
// only the browser holds (in an HttpOnly cookie); the table keeps the token's SHA-256 digest,
// never the token. Sessions expire after `lifetime` (12 hours, like an AWS console session)
// and live in memory: a restart signs everyone out.
//
// Thread-safe: every method may be called concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/mutex.h"

namespace kiroku::console {

// Who is signed in.
struct ConsoleSession {
  std::string account_id;
  std::string identity_type;  // "IAMUser" or "Root"
  std::string user_name;      // IAM user name; the root user's email
  std::string arn;
  std::string region;             // where the session signed in
  std::string mfa_serial_number;  // the MFA device used, or empty
  bool password_reset_required = false;
  TimePoint created{};
  TimePoint expires{};
};

inline constexpr std::chrono::hours kSessionLifetime{12};

class SessionTable {
 public:
  // `clock` must outlive the table. At most `max_sessions` live at once; beyond that the ones
  // closest to expiry are ended.
  explicit SessionTable(const Clock& clock, std::chrono::seconds lifetime = kSessionLifetime,
                        size_t max_sessions = 100000);

  // Starts a session (its created/expires times are set here); returns the token, 64 hex
  // characters.
  std::string Create(ConsoleSession session);
  // The live session of `token`; nullopt when unknown or expired.
  std::optional<ConsoleSession> Find(std::string_view token);
  void Remove(std::string_view token);

 private:
  const Clock& clock_;
  const std::chrono::seconds lifetime_;
  const size_t max_sessions_;
  Mutex mu_;
  std::unordered_map<std::string, ConsoleSession> sessions_ GUARDED_BY(mu_);  // SHA-256(token) ->
};

}  // namespace kiroku::console
