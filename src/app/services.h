// The served AWS services: one line each in services.cc. Adding a service is its module in
// src/services/<service>/ (docs/architecture.md, "How to add a service") and one line there.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/operation.h"
#include "api/rest_route.h"
#include "app/stores.h"

namespace kiroku::app {

// Every service, built on `stores` (which must outlive them). Their rows are not added yet.
std::vector<std::unique_ptr<api::Service>> MakeServices(Stores& stores);

// Adds every service's rows to `table`; the names of the services served, in order.
std::vector<std::string> AddOperations(const std::vector<std::unique_ptr<api::Service>>& services,
                                       api::OperationTable& table);

// The REST routes among the services (S3), for the RouteStage and the Frontend.
std::vector<const api::RestRoute*> RestRoutes(
    const std::vector<std::unique_ptr<api::Service>>& services);

}  // namespace kiroku::app
