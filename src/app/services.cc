#include "app/services.h"

#include <algorithm>

#include "services/cloudtrail/cloudtrail_service.h"
#include "services/iam/iam_service.h"
#include "services/kms/kms_service.h"
#include "services/logs/logs_service.h"
#include "services/s3/s3_service.h"
#include "services/sts/sts_service.h"

namespace kiroku::app {

std::vector<std::unique_ptr<api::Service>> MakeServices(Stores& s) {
  std::vector<std::unique_ptr<api::Service>> all;
  all.push_back(std::make_unique<services::StsService>(s.identities, s.sessions));
  all.push_back(std::make_unique<services::IamService>(s.identities));
  all.push_back(std::make_unique<services::KmsService>(s.keys, s.identities));
  all.push_back(
      std::make_unique<services::S3Service>(s.s3, s.s3_data_keys, s.identities, s.caller, s.clock));
  all.push_back(std::make_unique<services::LogsService>(s.logs));
  all.push_back(std::make_unique<services::CloudTrailService>(
      services::CloudTrailDeps{s.history, s.recorder, s.trail_signing_keys, s.trails, s.s3, s.logs,
                               s.keys, s.identities, s.caller, s.clock}));
  return all;
}

std::vector<std::string> AddOperations(const std::vector<std::unique_ptr<api::Service>>& services,
                                       api::OperationTable& table) {
  std::vector<std::string> names;
  for (const auto& service : services) {
    std::vector<api::Operation> rows = service->Operations();
    for (const api::Operation& row : rows) {
      if (std::find(names.begin(), names.end(), row.service) == names.end()) {
        names.push_back(row.service);
      }
    }
    table.Add(std::move(rows));
  }
  return names;
}

std::vector<const api::RestRoute*> RestRoutes(
    const std::vector<std::unique_ptr<api::Service>>& services) {
  std::vector<const api::RestRoute*> routes;
  for (const auto& service : services) {
    if (const api::RestRoute* route = service->rest_route()) routes.push_back(route);
  }
  return routes;
}

}  // namespace kiroku::app
