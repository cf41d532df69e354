#include "crypto/secret.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>

#include "common/check.h"
#include "crypto/hash.h"

namespace kiroku::crypto {

SecretBytes::SecretBytes(std::string_view bytes)
    : data_(new unsigned char[bytes.size() == 0 ? 1 : bytes.size()]), size_(bytes.size()) {
  if (size_ > 0) std::memcpy(data_.get(), bytes.data(), size_);
}

SecretBytes SecretBytes::Zeroed(size_t n) {
  SecretBytes s;
  s.data_.reset(new unsigned char[n == 0 ? 1 : n]());
  s.size_ = n;
  return s;
}

SecretBytes SecretBytes::Random(size_t n) {
  SecretBytes s = Zeroed(n);
  if (n > 0) KIROKU_CHECK(RAND_bytes(s.data_.get(), static_cast<int>(n)) == 1);
  return s;
}

SecretBytes SecretBytes::TakeFrom(std::string* source) {
  SecretBytes s(*source);
  Cleanse(*source);
  source->clear();
  return s;
}

SecretBytes::~SecretBytes() { Wipe(); }

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

bool SecretBytes::Equals(const SecretBytes& other) const {
  return ConstantTimeEquals(view(), other.view());
}

void SecretBytes::Wipe() {
  if (data_ != nullptr && size_ > 0) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

void Cleanse(std::string& s) {
  if (!s.empty()) OPENSSL_cleanse(s.data(), s.size());
}

}  // namespace kiroku::crypto
