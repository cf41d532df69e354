// ServiceHarness: one service's operations run through the real request pipeline in process —
// SigV4 authentication, decoding and validation, authorization, the handler and the encoding of
// the response — without a socket. Tests in tests/services/<service>/ add the service under test
// to table() and call it as the account's root user (or any access key they create).
//
//   ServiceHarness h;
//   KmsService kms(keys, h.identities());
//   h.table().Add(kms.Operations());
//   net::Response r = h.CallJson("kms", "CreateKey", {{"Description", "k"}});
//   EXPECT_EQ(r.status, 200);
#pragma once

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>

#include "api/operation.h"
#include "api/pipeline.h"
#include "api/rest_route.h"
#include "api/stages.h"
#include "crypto/secret.h"
#include "iam/identity_store.h"
#include "iam/session_store.h"
#include "net/http.h"
#include "store/rocks_store.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::testing {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty for long-term keys
};

class ServiceHarness {
 public:
  // A fresh store (column families meta, events, history, queue), a bootstrapped account, and a
  // pipeline with the five stages: Route, Authenticate, Decode, Authorize, Dispatch.
  ServiceHarness();
  ~ServiceHarness();

  store::RocksStore& db() { return *db_; }
  const crypto::SecretBytes& master_key() const { return master_key_; }
  FakeClock& clock() { return clock_; }
  iam::IdentityStore& identities() { return *identities_; }
  iam::SessionStore& sessions() { return *sessions_; }
  api::OperationTable& table() { return table_; }
  api::Pipeline& pipeline() { return *pipeline_; }
  const std::string& account() const { return account_; }
  const Credentials& root() const { return root_; }

  // An awsJson call: POST / with X-Amz-Target "<prefix>.<operation>", signed for `region`.
  net::Response CallJson(std::string_view service, std::string_view operation,
                         const boost::json::object& input, std::string_view region = "us-east-1",
                         const Credentials* as = nullptr);
  // An awsQuery call (iam, sts): POST / with Action=<operation>&Version=<api version> and
  // `params` as given (already flattened: "Tags.member.1.Key").
  net::Response CallQuery(std::string_view service, std::string_view operation,
                          const std::map<std::string, std::string>& params,
                          std::string_view region = "us-east-1", const Credentials* as = nullptr);
  // Signs `request` (its method, target, headers and body) with SigV4 for `service` and
  // `region` and sends it through the pipeline.
  net::Response Send(net::Request request, std::string_view service, std::string_view region,
                     const Credentials* as = nullptr);
  // As Send, but the body reaches the pipeline through a net::BodyReader, as the server streams
  // the body of a request a RestRoute claims (S3): `request.body` is signed, then read from.
  net::Response SendStreamed(net::Request request, std::string_view service,
                             std::string_view region, const Credentials* as = nullptr);
  // Lets the pipeline's RouteStage route the requests `route` claims (S3); `route` must outlive
  // the harness.
  void AddRestRoute(const api::RestRoute& route) { route_stage_->Add(route); }
  // Adds Host, X-Amz-Date, X-Amz-Content-Sha256 (the body's) and Authorization to `request`.
  void Sign(net::Request& request, std::string_view service, std::string_view region,
            const Credentials& as);

  // The response body as JSON (an awsJson answer); null when it does not parse.
  static boost::json::value Json(const net::Response& response);

 private:
  TempDir dir_;
  std::unique_ptr<store::RocksStore> db_;
  crypto::SecretBytes master_key_;
  FakeClock clock_;
  std::unique_ptr<iam::IdentityStore> identities_;
  std::unique_ptr<iam::SessionStore> sessions_;
  api::OperationTable table_;
  std::unique_ptr<api::Pipeline> pipeline_;
  api::RouteStage* route_stage_ = nullptr;  // owned by pipeline_
  std::string account_;
  Credentials root_;
};

}  // namespace kiroku::testing
