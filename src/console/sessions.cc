#include "console/sessions.h"

#include <algorithm>

#include "common/encoding.h"
#include "crypto/hash.h"

namespace kiroku::console {

SessionTable::SessionTable(const Clock& clock, std::chrono::seconds lifetime, size_t max_sessions)
    : clock_(clock), lifetime_(lifetime), max_sessions_(max_sessions) {}

std::string SessionTable::Create(ConsoleSession session) {
  std::string token = HexEncode(crypto::RandomBytes(32));
  TimePoint now = clock_.Now();
  session.created = now;
  session.expires = now + lifetime_;
  MutexLock lock(mu_);
  if (sessions_.size() >= max_sessions_) {
    std::erase_if(sessions_, [now](const auto& entry) { return entry.second.expires <= now; });
  }
  while (sessions_.size() >= max_sessions_) {
    sessions_.erase(std::min_element(
        sessions_.begin(), sessions_.end(),
        [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; }));
  }
  sessions_[crypto::Sha256(token)] = std::move(session);
  return token;
}

std::optional<ConsoleSession> SessionTable::Find(std::string_view token) {
  if (token.empty()) return std::nullopt;
  std::string digest = crypto::Sha256(token);
  MutexLock lock(mu_);
  auto it = sessions_.find(digest);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second.expires <= clock_.Now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return it->second;
}

void SessionTable::Remove(std::string_view token) {
  std::string digest = crypto::Sha256(token);
  MutexLock lock(mu_);
  sessions_.erase(digest);
}

}  // namespace kiroku::console
