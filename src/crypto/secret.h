// SecretBytes: key material or other secrets held in memory that is wiped (OPENSSL_cleanse)
// when the object is destroyed, moved from or reassigned. Move-only, so copies of a key exist
// only where code asks for them with Copy(). Thread-compatible (like std::string).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace kiroku::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  // Copies `bytes`; the caller remains responsible for wiping its own copy.
  explicit SecretBytes(std::string_view bytes);
  // `n` zero bytes, to be filled through mutable_data().
  static SecretBytes Zeroed(size_t n);
  // `n` bytes from OpenSSL's CSPRNG (a fresh key).
  static SecretBytes Random(size_t n);
  // Copies `*source` and wipes it (for secrets that arrive in a std::string).
  static SecretBytes TakeFrom(std::string* source);

  ~SecretBytes();
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  SecretBytes Copy() const { return SecretBytes(view()); }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const unsigned char* data() const { return data_.get(); }
  unsigned char* mutable_data() { return data_.get(); }
  // The bytes; valid while this object lives and is not moved from.
  std::string_view view() const {
    return std::string_view(reinterpret_cast<const char*>(data_.get()), size_);
  }

  // Constant-time comparison of contents (lengths are not secret).
  bool Equals(const SecretBytes& other) const;

 private:
  void Wipe();

  std::unique_ptr<unsigned char[]> data_;
  size_t size_ = 0;
};

// Overwrites `s` with zeros in a way the compiler may not optimise away.
void Cleanse(std::string& s);

}  // namespace kiroku::crypto
