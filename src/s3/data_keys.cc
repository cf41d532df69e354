#include "s3/data_keys.h"

#include "crypto/aead.h"

namespace kiroku::s3 {
namespace {

std::string WrapLabel(std::string_view blob) { return "s3-object-blob:" + std::string(blob); }

Status NotMasterKey(std::string_view sse) {
  return Status::Internal("SSE-S3 data keys cannot serve protection '" + std::string(sse) + "'");
}

}  // namespace

Result<NewDataKey> MasterKeyDataKeys::Generate(std::string_view, std::string_view,
                                               const Protection& protection) {
  if (protection.sse != "AES256") return NotMasterKey(protection.sse);
  NewDataKey out;
  out.segment.sse = "AES256";
  out.plaintext = crypto::SecretBytes::Random(32);
  return out;
}

Status MasterKeyDataKeys::Seal(const crypto::SecretBytes& plaintext, Segment& segment) {
  if (segment.sse != "AES256") return NotMasterKey(segment.sse);
  ASSIGN_OR_RETURN(segment.wrapped_key,
                   crypto::WrapKey(master_key_, plaintext, WrapLabel(segment.blob)));
  return Status::Ok();
}

Result<crypto::SecretBytes> MasterKeyDataKeys::Open(std::string_view, std::string_view,
                                                    const Segment& segment) {
  return crypto::UnwrapKey(master_key_, segment.wrapped_key, WrapLabel(segment.blob));
}

}  // namespace kiroku::s3
