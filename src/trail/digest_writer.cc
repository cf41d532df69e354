#include "trail/digest_writer.h"

#include <boost/json.hpp>
#include <set>
#include <tuple>

#include "common/encoding.h"
#include "common/logging.h"
#include "crypto/hash.h"
#include "store/json_record.h"
#include "store/keys.h"
#include "trail/gzip.h"

namespace kiroku::trail {
namespace json = boost::json;
namespace {

constexpr uint8_t kDigestTag = 'D';
constexpr uint8_t kChainTag = 'c';    // chain state of one (trail, source region)
constexpr uint8_t kPendingTag = 'f';  // a delivered log file not yet in a digest

int64_t Millis(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
TimePoint FromMillis(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }
TimePoint WholeSeconds(TimePoint t) {
  return TimePoint(std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()));
}

std::string ErrorText(const Status& s) { return s.aws_code().empty() ? s.message() : s.aws_code(); }

std::string Str(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : "";
}
int64_t Int(const json::object& o, std::string_view k) {
  const json::value* v = o.if_contains(k);
  return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

}  // namespace

namespace {

template <typename Id>
std::string ChainPrefix(uint8_t tag, const Id& id) {
  return store::KeyBuilder()
      .Tag(kDigestTag)
      .Tag(tag)
      .String(id.account)
      .String(id.home_region)
      .String(id.name)
      .String(id.region)
      .Build();
}

// Reads Tag('D') Tag(tag) and the four strings of a chain id.
template <typename Id>
std::optional<Id> ParseChainId(std::string_view key, uint8_t tag, store::KeyReader* rest) {
  store::KeyReader reader(key);
  auto d = reader.Tag();
  auto t = reader.Tag();
  auto account = reader.String();
  auto home = reader.String();
  auto name = reader.String();
  auto region = reader.String();
  if (!d || *d != kDigestTag || !t || *t != tag || !account || !home || !name || !region) {
    return std::nullopt;
  }
  if (rest != nullptr) *rest = reader;
  return Id{std::move(*account), std::move(*home), std::move(*name), std::move(*region)};
}

}  // namespace

DigestWriter::DigestWriter(TrailStore& trails, store::Db& db, SigningKeys& keys,
                           DigestFileSink& sink, const Clock& clock, DigestOptions options)
    : trails_(trails), db_(db), keys_(keys), sink_(sink), clock_(clock), options_(options) {}

DigestWriter::~DigestWriter() { Stop(); }

void DigestWriter::Start() {
  worker_ = std::thread([this] { Run(); });
}

void DigestWriter::Stop() {
  {
    MutexLock lock(wake_mu_);
    stop_ = true;
  }
  wake_.NotifyAll();
  if (worker_.joinable()) worker_.join();
}

void DigestWriter::Run() {
  MutexLock lock(wake_mu_);
  while (!stop_) {
    // Digest times have whole seconds: a pass a second is enough.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (!stop_ && wake_.WaitUntil(wake_mu_, deadline)) {
    }
    if (stop_) break;
    lock.Unlock();
    RunOnce(false);
    lock.Lock();
  }
}

void DigestWriter::OnLogFile(const DeliveredLogFile& file, store::WriteBatch& batch) {
  if (!file.trail.log_file_validation) return;
  ChainId id{file.trail.account_id, file.trail.home_region, file.trail.name, file.region};
  json::object entry{{"bucket", file.trail.s3_bucket},
                     {"hash", file.sha256_hex},
                     {"oldest", Millis(file.oldest_event)},
                     {"newest", Millis(file.newest_event)},
                     {"delivered", Millis(clock_.Now())}};
  batch.Put(kColumnFamily, store::KeyBuilder(ChainPrefix(kPendingTag, id)).String(file.key).Build(),
            json::serialize(entry));
}

Result<std::map<DigestWriter::ChainId, DigestWriter::ChainState>> DigestWriter::LoadChains() const {
  std::map<ChainId, ChainState> chains;
  Status error;
  std::string prefix = store::KeyBuilder().Tag(kDigestTag).Tag(kChainTag).Build();
  RETURN_IF_ERROR(db_.Scan(
      kColumnFamily, store::Range::Prefix(prefix),
      [&](std::string_view key, std::string_view value) {
        auto id = ParseChainId<ChainId>(key, kChainTag, nullptr);
        auto o = store::ReadJsonRecord(value, "digest chain");
        if (!id || !o.ok()) {
          error = Status::Internal("corrupt digest chain record");
          return false;
        }
        ChainState state;
        state.start = FromMillis(Int(*o, "start"));
        if (const json::value* p = o->if_contains("previous"); p != nullptr && p->is_object()) {
          const json::object& prev = p->as_object();
          state.previous = DigestLink{Str(prev, "bucket"), Str(prev, "key"), Str(prev, "hash"),
                                      Str(prev, "signature")};
        }
        chains.emplace(std::move(*id), std::move(state));
        return true;
      }));
  RETURN_IF_ERROR(error);
  return chains;
}

namespace {
json::object ChainJson(TimePoint start, const std::optional<DigestLink>& previous) {
  json::object o{{"start", Millis(start)}};
  if (previous) {
    o["previous"] = json::object{{"bucket", previous->bucket},
                                 {"key", previous->key},
                                 {"hash", previous->sha256_hex},
                                 {"signature", previous->signature_hex}};
  }
  return o;
}
}  // namespace

Status DigestWriter::PendingChains(std::map<ChainId, ChainState>& chains, TimePoint now) {
  // One seek per chain that has pending log files.
  std::string start = store::KeyBuilder().Tag(kDigestTag).Tag(kPendingTag).Build();
  const std::string end = store::PrefixSuccessor(start);
  while (true) {
    std::optional<ChainId> found;
    TimePoint delivered = now;
    RETURN_IF_ERROR(db_.Scan(kColumnFamily, store::Range::Between(start, end),
                             [&](std::string_view key, std::string_view value) {
                               found = ParseChainId<ChainId>(key, kPendingTag, nullptr);
                               if (auto o = store::ReadJsonRecord(value, "pending log file");
                                   o.ok() && Int(*o, "delivered") > 0) {
                                 delivered = FromMillis(Int(*o, "delivered"));
                               }
                               return false;
                             }));
    if (!found) return Status::Ok();
    start = store::PrefixSuccessor(ChainPrefix(kPendingTag, *found));
    if (!chains.contains(*found)) {
      // A new source region: its chain starts when its first log file was delivered.
      ChainState state{std::min(now, WholeSeconds(delivered)), std::nullopt};
      RETURN_IF_ERROR(db_.Put(kColumnFamily, ChainPrefix(kChainTag, *found),
                              json::serialize(ChainJson(state.start, state.previous))));
      chains.emplace(std::move(*found), std::move(state));
    }
  }
}

void DigestWriter::RunOnce(bool force) {
  MutexLock lock(run_mu_);
  const TimePoint now = WholeSeconds(clock_.Now());
  auto chains = LoadChains();
  auto all = trails_.ListAll();
  if (!chains.ok() || !all.ok()) {
    spdlog::error("digest files: cannot list chains or trails: {}",
                  (!chains.ok() ? chains.status() : all.status()).ToString());
    return;
  }
  using TrailId = std::tuple<std::string, std::string, std::string>;
  std::map<TrailId, TrailConfig> trails;
  std::set<TrailId> active;  // logging with validation on: their chains go on
  for (TrailConfig& t : *all) {
    TrailId tid{t.account_id, t.home_region, t.name};
    auto status = trails_.GetStatus(t);
    if (t.log_file_validation && status.ok() && status->is_logging) {
      active.insert(tid);
      ChainId home{t.account_id, t.home_region, t.name, t.home_region};
      if (!chains->contains(home)) {
        ChainState state{now, std::nullopt};
        if (Status s = db_.Put(kColumnFamily, ChainPrefix(kChainTag, home),
                               json::serialize(ChainJson(state.start, state.previous)));
            !s.ok()) {
          spdlog::error("digest files: cannot start a chain: {}", s.ToString());
          continue;
        }
        chains->emplace(home, std::move(state));
      }
    }
    trails.emplace(std::move(tid), std::move(t));
  }
  if (Status s = PendingChains(*chains, now); !s.ok()) {
    spdlog::error("digest files: cannot list pending log files: {}", s.ToString());
    return;
  }

  for (const auto& [id, state] : *chains) {
    auto trail_it = trails.find(TrailId{id.account, id.home_region, id.name});
    if (trail_it == trails.end()) {
      // The trail was deleted: its chain and undigested files go with it.
      store::WriteBatch batch;
      batch.Delete(kColumnFamily, ChainPrefix(kChainTag, id));
      (void)db_.Scan(kColumnFamily, store::Range::Prefix(ChainPrefix(kPendingTag, id)),
                     [&](std::string_view key, std::string_view) {
                       batch.Delete(kColumnFamily, key);
                       return true;
                     });
      (void)db_.Write(batch);
      retries_.erase(id);
      continue;
    }
    const TrailConfig& trail = trail_it->second;
    if (now <= state.start) continue;
    if (!force && now - state.start < options_.interval) continue;
    Retry& retry = retries_[id];
    if (clock_.Now() < retry.next_attempt) continue;
    Status s = WriteDigest(trail, id, state, now,
                           active.contains(TrailId{id.account, id.home_region, id.name}));
    TimePoint at = clock_.Now();
    if (s.code() == Code::kNotFound) {
      // Nothing pending and the trail no longer logs with validation: the chain ends.
      (void)db_.Delete(kColumnFamily, ChainPrefix(kChainTag, id));
      retries_.erase(id);
      continue;
    }
    if (!s.ok()) {
      spdlog::warn("trail {}: digest delivery to s3://{} failed: {}", trail.name, trail.s3_bucket,
                   s.ToString());
      (void)trails_.UpdateStatus(
          trail, [&](TrailStatus& st) { st.latest_digest_delivery_error = ErrorText(s); });
      retry.backoff = retry.backoff.count() == 0
                          ? std::chrono::milliseconds(1000)
                          : std::min(retry.backoff * 2, options_.max_backoff);
      retry.next_attempt = at + retry.backoff;
      continue;
    }
    retries_.erase(id);
    (void)trails_.UpdateStatus(trail, [&](TrailStatus& st) {
      st.latest_digest_delivery_time = at;
      st.latest_digest_delivery_error.clear();
    });
  }
}

Status DigestWriter::WriteDigest(const TrailConfig& trail, const ChainId& id,
                                 const ChainState& state, TimePoint end, bool active) {
  DigestContents digest;
  std::vector<std::string> pending_keys;
  Status error;
  RETURN_IF_ERROR(db_.Scan(kColumnFamily, store::Range::Prefix(ChainPrefix(kPendingTag, id)),
                           [&](std::string_view key, std::string_view value) {
                             store::KeyReader rest("");
                             auto parsed = ParseChainId<ChainId>(key, kPendingTag, &rest);
                             auto log_key = parsed ? rest.String() : std::nullopt;
                             auto o = store::ReadJsonRecord(value, "pending log file");
                             if (!log_key || !o.ok()) {
                               error = Status::Internal("corrupt pending log file record");
                               return false;
                             }
                             digest.log_files.push_back(
                                 {Str(*o, "bucket"), std::move(*log_key), Str(*o, "hash"),
                                  FromMillis(Int(*o, "oldest")), FromMillis(Int(*o, "newest"))});
                             pending_keys.emplace_back(key);
                             return true;
                           }));
  RETURN_IF_ERROR(error);
  if (!active && digest.log_files.empty()) return Status::NotFound("chain ended");

  ASSIGN_OR_RETURN(SigningKeys::Signer signer, keys_.Get(trail.account_id, id.region));
  digest.account_id = trail.account_id;
  digest.start = state.start;
  digest.end = end;
  digest.bucket = trail.s3_bucket;
  digest.key = DigestFileKey(trail, id.region, end);
  digest.public_key_fingerprint = signer.info.fingerprint;
  digest.previous = state.previous;
  const std::string text = DigestJson(digest);
  const std::string hash = HexEncode(crypto::Sha256(text));
  ASSIGN_OR_RETURN(std::string signature,
                   signer.key->SignSha256(DigestSigningString(digest, hash)));
  ASSIGN_OR_RETURN(std::string body, Gzip(text));
  const std::string signature_hex = HexEncode(signature);
  RETURN_IF_ERROR(
      sink_.PutDigestFile(trail, digest.key, body,
                          {{"signature", signature_hex},
                           {"signature-algorithm", std::string(kDigestSignatureAlgorithm)}}));

  // The digest is in S3: its files leave the pending list as the chain moves on, atomically.
  store::WriteBatch batch;
  for (const std::string& key : pending_keys) batch.Delete(kColumnFamily, key);
  DigestLink link{digest.bucket, digest.key, hash, signature_hex};
  batch.Put(kColumnFamily, ChainPrefix(kChainTag, id), json::serialize(ChainJson(end, link)));
  RETURN_IF_ERROR(db_.Write(batch));
  spdlog::debug("trail {}: digest s3://{}/{} with {} log file(s)", trail.name, digest.bucket,
                digest.key, digest.log_files.size());
  return Status::Ok();
}

}  // namespace kiroku::trail
