// BlobStore: object bytes at rest, as encrypted files under <data dir>/objects/.
//
// A blob is the body of one PutObject or one UploadPart. It is cut into 1 MiB chunks, each
// sealed with AES-256-GCM under the blob's own 32-byte data key (nonce = the chunk index, which
// never repeats under one key; AAD = blob id and chunk index, so chunks cannot be reordered or
// moved between blobs). No plaintext reaches the disk. The data key itself is not stored here:
// the caller keeps it wrapped (SSE-S3 under the master key, SSE-KMS by KMS) with the object's
// metadata.
//
// Writing streams: Append encrypts each full chunk as it fills, so memory stays at one chunk.
// Commit fsyncs the file, renames it from objects/tmp/ into place and fsyncs the directory;
// a blob is durable once Commit returns. A writer destroyed without Commit removes its file.
// Reading decrypts only the chunks that overlap the requested range.
//
// Thread-safety: BlobStore methods may be called concurrently; a BlobWriter or BlobReader is
// single-threaded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/secret.h"

namespace kiroku::s3 {

inline constexpr size_t kBlobChunkBytes = 1 << 20;

class BlobWriter {
 public:
  ~BlobWriter();
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;

  const std::string& id() const { return id_; }
  uint64_t size() const { return size_; }
  // Encrypts and writes `data`. Internal on I/O failure.
  Status Append(std::string_view data);
  // Seals the last chunk and makes the blob durable. Internal on I/O failure.
  Status Commit();

 private:
  friend class BlobStore;
  BlobWriter(std::filesystem::path tmp, std::filesystem::path final_path, std::string id,
             crypto::SecretBytes key, int fd);
  Status SealChunk();

  std::filesystem::path tmp_, final_;
  std::string id_;
  crypto::SecretBytes key_;
  int fd_;
  std::string pending_;
  uint64_t chunk_index_ = 0;
  uint64_t size_ = 0;
  bool committed_ = false;
};

class BlobReader {
 public:
  ~BlobReader();
  BlobReader(const BlobReader&) = delete;
  BlobReader& operator=(const BlobReader&) = delete;

  // Reads up to `capacity` plaintext bytes at the current position (starting at the offset given
  // to OpenBlob); 0 at the end of the requested range. Internal if the file is missing, short
  // or fails authentication.
  Result<size_t> Read(char* out, size_t capacity);

 private:
  friend class BlobStore;
  BlobReader(std::string id, crypto::SecretBytes key, int fd, uint64_t size, uint64_t offset,
             uint64_t end);
  Status LoadChunk(uint64_t index);

  std::string id_;
  crypto::SecretBytes key_;
  int fd_;
  uint64_t size_;
  uint64_t position_;
  uint64_t end_;
  uint64_t loaded_index_ = UINT64_MAX;
  std::string plain_;
};

class BlobStore {
 public:
  // Uses <root>/ and <root>/tmp/, creating them (0700); removes leftovers of unfinished writes.
  static Result<std::unique_ptr<BlobStore>> Open(std::filesystem::path root);

  // A new blob with a fresh random id, encrypted under `data_key` (32 bytes).
  Result<std::unique_ptr<BlobWriter>> Create(crypto::SecretBytes data_key);
  // Reads bytes [offset, end) of blob `id` of total plaintext `size`.
  Result<std::unique_ptr<BlobReader>> Open(std::string_view id, crypto::SecretBytes data_key,
                                           uint64_t size, uint64_t offset, uint64_t end) const;
  // Removes a blob; a missing blob is not an error.
  Status Remove(std::string_view id);

 private:
  explicit BlobStore(std::filesystem::path root) : root_(std::move(root)) {}
  std::filesystem::path PathOf(std::string_view id) const;

  std::filesystem::path root_;
};

}  // namespace kiroku::s3
