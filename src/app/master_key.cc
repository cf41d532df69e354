#include "app/master_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace kiroku::app {
namespace fs = std::filesystem;
namespace {

constexpr size_t kKeyBytes = 32;

std::string Errno() { return std::strerror(errno); }

std::string OctalMode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof(buf), "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Creates `path` with mode 0600 whatever the umask, failing if it exists, and syncs it.
Status CreateKeyFile(const fs::path& path, const crypto::SecretBytes& key) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::InvalidArgument("cannot create the master key file " + path.string() + ": " +
                                   Errno());
  }
  Status status = Status::Ok();
  std::string_view bytes = key.view();
  if (::fchmod(fd, 0600) != 0 ||
      ::write(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size()) ||
      ::fsync(fd) != 0) {
    status = Status::Internal("cannot write the master key file " + path.string() + ": " + Errno());
  }
  ::close(fd);
  if (!status.ok()) ::unlink(path.c_str());
  return status;
}

}  // namespace

bool StoreExists(const fs::path& data_dir) {
  std::error_code ec;
  return fs::exists(data_dir / "db" / "CURRENT", ec);
}

Result<crypto::SecretBytes> LoadMasterKey(const fs::path& path, bool store_exists) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) {
      return Status::InvalidArgument("cannot read the master key file " + path.string() + ": " +
                                     Errno());
    }
    if (store_exists) {
      return Status::InvalidArgument(
          "the master key file " + path.string() +
          " does not exist, but the data dir already holds a store whose secrets are wrapped by "
          "a master key: give the key's file with --master-key-file (or KIROKU_MASTER_KEY_FILE). "
          "Refusing to create a new key, which could not read them.");
    }
    crypto::SecretBytes key = crypto::SecretBytes::Random(kKeyBytes);
    RETURN_IF_ERROR(CreateKeyFile(path, key));
    return key;
  }
  if (!S_ISREG(st.st_mode)) {
    return Status::InvalidArgument("the master key file " + path.string() +
                                   " is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return Status::InvalidArgument(
        "the master key file " + path.string() + " has mode " + OctalMode(st.st_mode) +
        ": the group or others may read or write it. Run `chmod 600 " + path.string() +
        "` (and keep it owned by the user running kiroku).");
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::InvalidArgument("cannot read the master key file " + path.string() + ": " +
                                   Errno());
  }
  std::string bytes(kKeyBytes + 1, '\0');
  size_t got = 0;
  while (got < bytes.size()) {
    ssize_t n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got != kKeyBytes) {
    return Status::InvalidArgument("the master key file " + path.string() +
                                   " must hold exactly 32 bytes");
  }
  bytes.resize(kKeyBytes);
  return crypto::SecretBytes::TakeFrom(&bytes);
}

}  // namespace kiroku::app
