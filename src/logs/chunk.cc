#include "logs/chunk.h"

#include <zstd.h>

#include <cstring>
#include <memory>

#include "crypto/aead.h"
#include "crypto/secret.h"

namespace kiroku::logs::internal {
namespace {

constexpr char kFormat = 0x01;
constexpr std::string_view kAadLabel = "kiroku-logs-chunk-v1";
constexpr size_t kEntryBytes = 8 + 8 + 8 + 4;
constexpr int kZstdLevel = 1;

template <typename T>
void Append(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));  // little-endian hosts only (x86-64, arm64)
  out.append(bytes, sizeof(T));
}

template <typename T>
T Load(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

std::string Aad(std::string_view chunk_key) {
  std::string aad(kAadLabel);
  aad.append(chunk_key);
  return aad;
}

}  // namespace

bool LineSafe(std::string_view message) {
  return message.find('\n') == std::string_view::npos && !message.empty() && message.back() != '\r';
}

Result<std::string> SealChunk(const crypto::SecretBytes& key, std::string_view chunk_key,
                              const std::vector<ChunkEvent>& events) {
  size_t text = 0;
  for (const ChunkEvent& e : events) text += e.message.size() + 1;
  std::string plain;
  plain.reserve(4 + events.size() * kEntryBytes + text);
  Append<uint32_t>(plain, static_cast<uint32_t>(events.size()));
  for (const ChunkEvent& e : events) {
    Append<int64_t>(plain, e.timestamp);
    Append<int64_t>(plain, e.ingestion_time);
    Append<uint64_t>(plain, e.eid);
    Append<uint32_t>(plain, static_cast<uint32_t>(e.message.size()));
  }
  for (const ChunkEvent& e : events) {
    plain.append(e.message);
    plain.push_back('\n');
  }
  std::string compressed;
  compressed.resize(ZSTD_compressBound(plain.size()));
  // One compression context per thread, reused: creating one per chunk costs more than
  // compressing a small batch.
  thread_local std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> cctx(ZSTD_createCCtx(),
                                                                         &ZSTD_freeCCtx);
  size_t n = ZSTD_compressCCtx(cctx.get(), compressed.data(), compressed.size(), plain.data(),
                               plain.size(), kZstdLevel);
  // The plaintext buffer held event text: wipe it before it is freed.
  crypto::Cleanse(plain);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  compressed.resize(n);
  ASSIGN_OR_RETURN(std::string sealed, crypto::AeadSeal(key, compressed, Aad(chunk_key)));
  std::string out;
  out.reserve(1 + sealed.size());
  out.push_back(kFormat);
  out.append(sealed);
  return out;
}

Result<DecodedChunk> OpenChunk(const crypto::SecretBytes& key, std::string_view chunk_key,
                               std::string_view sealed) {
  if (sealed.empty() || sealed[0] != kFormat) {
    return Status::Internal("log chunk: unknown format");
  }
  ASSIGN_OR_RETURN(std::string compressed, crypto::AeadOpen(key, sealed.substr(1), Aad(chunk_key)));
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (1ULL << 32)) {
    return Status::Internal("log chunk: bad zstd frame");
  }
  DecodedChunk chunk;
  chunk.plain.resize(size);
  thread_local std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> dctx(ZSTD_createDCtx(),
                                                                         &ZSTD_freeDCtx);
  size_t n = ZSTD_decompressDCtx(dctx.get(), chunk.plain.data(), chunk.plain.size(),
                                 compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != size) return Status::Internal("log chunk: zstd decompression failed");
  const std::string& p = chunk.plain;
  if (p.size() < 4) return Status::Internal("log chunk: truncated");
  uint32_t count = Load<uint32_t>(p.data());
  size_t entries = 4 + static_cast<size_t>(count) * kEntryBytes;
  if (entries > p.size()) return Status::Internal("log chunk: truncated");
  chunk.events.resize(count);
  size_t offset = entries;
  for (uint32_t i = 0; i < count; ++i) {
    const char* e = p.data() + 4 + i * kEntryBytes;
    ChunkEvent& ev = chunk.events[i];
    ev.timestamp = Load<int64_t>(e);
    ev.ingestion_time = Load<int64_t>(e + 8);
    ev.eid = Load<uint64_t>(e + 16);
    uint32_t len = Load<uint32_t>(e + 24);
    if (offset + len + 1 > p.size()) return Status::Internal("log chunk: truncated");
    ev.message = std::string_view(p.data() + offset, len);
    if (chunk.line_safe && !LineSafe(ev.message)) chunk.line_safe = false;
    offset += len + 1;
  }
  chunk.lines = std::string_view(p.data() + entries, offset - entries);
  return chunk;
}

}  // namespace kiroku::logs::internal
