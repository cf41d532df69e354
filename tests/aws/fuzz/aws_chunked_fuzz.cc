// libFuzzer target for the aws-chunked reader (AwsChunkedReader) in its three modes: signed
// chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD), unsigned chunks with a trailer
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER) and signed chunks with a signed trailer
// (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER). Input: one byte choosing the mode, one byte
// choosing how many bytes the underlying reader hands out per call (the framing must not
// depend on it), then the body. The seeds are valid bodies signed with the fixed identity
// below. The decoder must end in data or an error, never crash, count exactly the bytes it
// returned, and keep at most 16 trailers.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "aws/sigv4.h"

namespace {

class PieceReader final : public kiroku::net::BodyReader {
 public:
  PieceReader(std::string_view data, size_t step) : data_(data), step_(step) {}
  kiroku::Result<size_t> Read(char* out, size_t capacity) override {
    size_t n = std::min({capacity, step_, data_.size()});
    std::memcpy(out, data_.data(), n);
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
  size_t step_;
};

const kiroku::aws::SignedIdentity& Identity(int mode) {
  static const kiroku::aws::SignedIdentity base = [] {
    kiroku::aws::SignedIdentity id;
    id.amz_date = "20261126T213114Z";
    id.scope = "20261126/ap-northeast-1/s3/aws4_request";
    id.signing_key = kiroku::aws::SigningKey("fuzz-secret", "20261126", "ap-northeast-1", "s3");
    id.signature = std::string(64, 'a');
    return id;
  }();
  static const kiroku::aws::SignedIdentity modes[3] = {
      [] {
        auto id = base;
        id.payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
        return id;
      }(),
      [] {
        auto id = base;
        id.payload_hash = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
        return id;
      }(),
      [] {
        auto id = base;
        id.payload_hash = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
        return id;
      }(),
  };
  return modes[mode % 3];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int mode = data[0];
  const size_t step = 1 + data[1] % 64 * 97;
  PieceReader raw(std::string_view(reinterpret_cast<const char*>(data) + 2, size - 2), step);
  kiroku::aws::AwsChunkedReader reader(raw, Identity(mode));
  uint64_t total = 0;
  char buf[777];
  while (true) {
    kiroku::Result<size_t> n = reader.Read(buf, sizeof(buf));
    if (!n.ok()) {
      if (n.status().aws_code() != "IncompleteBody" &&
          n.status().aws_code() != "SignatureDoesNotMatch") {
        std::abort();
      }
      return 0;
    }
    if (*n > sizeof(buf)) std::abort();
    if (*n == 0) break;
    total += *n;
  }
  if (reader.decoded_bytes() != total || reader.trailers().size() > 16) std::abort();
  // Once done, the reader stays done.
  kiroku::Result<size_t> again = reader.Read(buf, sizeof(buf));
  if (!again.ok() || *again != 0) std::abort();
  return 0;
}
