#include "s3/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/encoding.h"
#include "crypto/aead.h"
#include "crypto/hash.h"

namespace kiroku::s3 {
namespace fs = std::filesystem;
namespace {

constexpr size_t kSealedChunkBytes = kBlobChunkBytes + crypto::kAeadTagBytes;

std::string Nonce(uint64_t index) {
  std::string nonce(crypto::kAeadNonceBytes, '\0');
  for (int i = 0; i < 8; ++i) nonce[11 - i] = static_cast<char>((index >> (8 * i)) & 0xff);
  return nonce;
}

std::string Aad(std::string_view id, uint64_t index) {
  return "kiroku-s3-blob-v1:" + std::string(id) + ":" + std::to_string(index);
}

Status IoError(const std::string& what) {
  return Status::Internal(what + ": " + std::strerror(errno));
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("writing an object blob");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status FsyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("opening " + dir.string());
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return IoError("fsync " + dir.string());
  return Status::Ok();
}

}  // namespace

BlobWriter::BlobWriter(fs::path tmp, fs::path final_path, std::string id, crypto::SecretBytes key,
                       int fd)
    : tmp_(std::move(tmp)),
      final_(std::move(final_path)),
      id_(std::move(id)),
      key_(std::move(key)),
      fd_(fd) {
  pending_.reserve(kBlobChunkBytes);
}

BlobWriter::~BlobWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ec;
    fs::remove(tmp_, ec);
  }
  crypto::Cleanse(pending_);
}

Status BlobWriter::SealChunk() {
  ASSIGN_OR_RETURN(std::string sealed, crypto::AesGcmEncrypt(key_, Nonce(chunk_index_), pending_,
                                                             Aad(id_, chunk_index_)));
  RETURN_IF_ERROR(WriteAll(fd_, sealed));
  crypto::Cleanse(pending_);
  pending_.clear();
  ++chunk_index_;
  return Status::Ok();
}

Status BlobWriter::Append(std::string_view data) {
  if (committed_) return Status::Internal("append to a committed blob");
  while (!data.empty()) {
    size_t n = std::min(data.size(), kBlobChunkBytes - pending_.size());
    pending_.append(data.substr(0, n));
    data.remove_prefix(n);
    size_ += n;
    if (pending_.size() == kBlobChunkBytes) RETURN_IF_ERROR(SealChunk());
  }
  return Status::Ok();
}

Status BlobWriter::Commit() {
  if (!pending_.empty()) RETURN_IF_ERROR(SealChunk());
  if (::fsync(fd_) != 0) return IoError("fsync of an object blob");
  ::close(fd_);
  fd_ = -1;
  std::error_code ec;
  fs::rename(tmp_, final_, ec);
  if (ec) return Status::Internal("renaming an object blob: " + ec.message());
  committed_ = true;
  return FsyncDir(final_.parent_path());
}

BlobReader::BlobReader(std::string id, crypto::SecretBytes key, int fd, uint64_t size,
                       uint64_t offset, uint64_t end)
    : id_(std::move(id)),
      key_(std::move(key)),
      fd_(fd),
      size_(size),
      position_(offset),
      end_(end) {}

BlobReader::~BlobReader() {
  if (fd_ >= 0) ::close(fd_);
  crypto::Cleanse(plain_);
}

Status BlobReader::LoadChunk(uint64_t index) {
  uint64_t plain_bytes = std::min<uint64_t>(kBlobChunkBytes, size_ - index * kBlobChunkBytes);
  std::string sealed(plain_bytes + crypto::kAeadTagBytes, '\0');
  off_t offset = static_cast<off_t>(index * kSealedChunkBytes);
  size_t got = 0;
  while (got < sealed.size()) {
    ssize_t n = ::pread(fd_, sealed.data() + got, sealed.size() - got, offset + got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("reading an object blob");
    if (n == 0) return Status::Internal("object blob " + id_ + " is truncated");
    got += static_cast<size_t>(n);
  }
  crypto::Cleanse(plain_);
  auto plain = crypto::AesGcmDecrypt(key_, Nonce(index), sealed, Aad(id_, index));
  if (!plain.ok()) return Status::Internal("object blob " + id_ + " failed authentication");
  plain_ = std::move(*plain);
  loaded_index_ = index;
  return Status::Ok();
}

Result<size_t> BlobReader::Read(char* out, size_t capacity) {
  if (position_ >= end_ || capacity == 0) return size_t{0};
  uint64_t index = position_ / kBlobChunkBytes;
  if (index != loaded_index_) RETURN_IF_ERROR(LoadChunk(index));
  uint64_t within = position_ - index * kBlobChunkBytes;
  size_t n =
      static_cast<size_t>(std::min<uint64_t>({capacity, plain_.size() - within, end_ - position_}));
  std::memcpy(out, plain_.data() + within, n);
  position_ += n;
  return n;
}

Result<std::unique_ptr<BlobStore>> BlobStore::Open(fs::path root) {
  std::error_code ec;
  fs::create_directories(root / "tmp", ec);
  if (ec) return Status::Internal("cannot create " + (root / "tmp").string() + ": " + ec.message());
  fs::permissions(root, fs::perms::owner_all, fs::perm_options::replace, ec);
  for (const auto& entry : fs::directory_iterator(root / "tmp", ec)) {
    std::error_code ignored;
    fs::remove(entry.path(), ignored);
  }
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(root)));
}

fs::path BlobStore::PathOf(std::string_view id) const {
  return root_ / std::string(id.substr(0, 2)) / std::string(id);
}

Result<std::unique_ptr<BlobWriter>> BlobStore::Create(crypto::SecretBytes data_key) {
  if (data_key.size() != crypto::kAes256KeyBytes) {
    return Status::InvalidArgument("an object data key must be 32 bytes");
  }
  std::string id = HexEncode(crypto::RandomBytes(16));
  fs::path final_path = PathOf(id);
  std::error_code ec;
  fs::create_directories(final_path.parent_path(), ec);
  if (ec) return Status::Internal("cannot create " + final_path.parent_path().string());
  fs::path tmp = root_ / "tmp" / id;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("creating " + tmp.string());
  return std::unique_ptr<BlobWriter>(new BlobWriter(std::move(tmp), std::move(final_path),
                                                    std::move(id), std::move(data_key), fd));
}

Result<std::unique_ptr<BlobReader>> BlobStore::Open(std::string_view id,
                                                    crypto::SecretBytes data_key, uint64_t size,
                                                    uint64_t offset, uint64_t end) const {
  if (id.size() < 2 || id.find('/') != std::string_view::npos) {
    return Status::Internal("bad blob id");
  }
  fs::path path = PathOf(id);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("opening object blob " + std::string(id));
  return std::unique_ptr<BlobReader>(
      new BlobReader(std::string(id), std::move(data_key), fd, size, offset, std::min(end, size)));
}

Status BlobStore::Remove(std::string_view id) {
  if (id.size() < 2 || id.find('/') != std::string_view::npos) return Status::Ok();
  std::error_code ec;
  fs::remove(PathOf(id), ec);
  if (ec) return Status::Internal("removing object blob: " + ec.message());
  return Status::Ok();
}

}  // namespace kiroku::s3
