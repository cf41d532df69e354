// Custom key stores (CloudHSM or external key managers). kiroku keeps every key in its own
// store and serves no CreateCustomKeyStore, so an account has none: the list is empty, and a
// store named by id or name does not exist.
#include "services/kms/kms_service.h"
#include "services/kms/kms_service_internal.h"

namespace kiroku::services {
using namespace kms_internal;  // NOLINT: the service's own helpers

Result<json::value> KmsService::DescribeCustomKeyStores(RequestContext& ctx) const {
  if (!Str(ctx.input, "CustomKeyStoreId").empty() ||
      !Str(ctx.input, "CustomKeyStoreName").empty()) {
    return Status::NotFound("The specified custom key store was not found in this account.")
        .WithAwsCode("CustomKeyStoreNotFoundException");
  }
  if (!Str(ctx.input, "Marker").empty()) {
    return Status::InvalidArgument(
               "The marker that specifies where pagination should next begin is not valid.")
        .WithAwsCode("InvalidMarkerException");
  }
  return json::value{{"CustomKeyStores", json::array()}, {"Truncated", false}};
}

}  // namespace kiroku::services
