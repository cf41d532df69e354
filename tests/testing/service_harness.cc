#include "testing/service_harness.h"

#include <algorithm>

#include "api/stages.h"
#include "aws/model.h"
#include "aws/sigv4.h"
#include "common/encoding.h"
#include "crypto/hash.h"

namespace kiroku::testing {
namespace json = boost::json;

ServiceHarness::ServiceHarness()
    : db_(*store::RocksStore::Open(dir_.Sub("db"), {"meta", "events", "history", "queue"})),
      master_key_(crypto::SecretBytes::Random(32)),
      // Signatures carry the real date: the fake clock starts at the wall clock.
      clock_(std::chrono::system_clock::now()),
      identities_(std::make_unique<iam::IdentityStore>(*db_, master_key_, clock_)),
      sessions_(std::make_unique<iam::SessionStore>(*db_, master_key_, clock_)),
      pipeline_(std::make_unique<api::Pipeline>(clock_)) {
  auto account = identities_->Bootstrap({});
  KIROKU_CHECK(account.ok());
  account_ = account->account_id;
  root_ = {account->root_key.access_key_id, account->root_key.secret_access_key, ""};
  auto route = std::make_unique<api::RouteStage>();
  route_stage_ = route.get();
  pipeline_->Add(std::move(route));
  pipeline_->Add(std::make_unique<api::AuthenticateStage>(*identities_, *sessions_, clock_));
  pipeline_->Add(std::make_unique<api::DecodeStage>(table_));
  pipeline_->Add(std::make_unique<api::AuthorizeStage>(*identities_, clock_));
  pipeline_->Add(std::make_unique<api::DispatchStage>());
}

ServiceHarness::~ServiceHarness() = default;

void ServiceHarness::Sign(net::Request& request, std::string_view service, std::string_view region,
                          const Credentials& as) {
  std::string amz_date = FormatAmzDate(clock_.Now());
  std::string payload = HexEncode(crypto::Sha256(request.body));
  auto set = [&](std::string name, std::string value) {
    auto it =
        std::find_if(request.headers.begin(), request.headers.end(),
                     [&](const net::Header& h) { return AsciiLower(h.name) == AsciiLower(name); });
    if (it != request.headers.end()) {
      it->value = std::move(value);
    } else {
      request.headers.push_back({std::move(name), std::move(value)});
    }
  };
  set("Host", "127.0.0.1:4747");
  set("X-Amz-Date", amz_date);
  set("X-Amz-Content-Sha256", payload);
  if (!as.session_token.empty()) set("X-Amz-Security-Token", as.session_token);
  std::vector<std::string> signed_headers;
  for (const net::Header& h : request.headers) {
    std::string name = AsciiLower(h.name);
    if (name == "authorization") continue;
    if (std::find(signed_headers.begin(), signed_headers.end(), name) == signed_headers.end()) {
      signed_headers.push_back(name);
    }
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  aws::CanonicalInput in{request.method,
                         std::string(request.path()),
                         std::string(request.query()),
                         request.headers,
                         signed_headers,
                         payload,
                         service == "s3"};
  std::string date = amz_date.substr(0, 8);
  std::string scope =
      date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  std::string signature = aws::Sign(aws::SigningKey(as.secret_access_key, date, region, service),
                                    aws::StringToSign(amz_date, scope, aws::CanonicalRequest(in)));
  std::string list;
  for (const std::string& h : signed_headers) list += (list.empty() ? "" : ";") + h;
  set("Authorization", "AWS4-HMAC-SHA256 Credential=" + as.access_key_id + "/" + scope +
                           ", SignedHeaders=" + list + ", Signature=" + signature);
}

net::Response ServiceHarness::Send(net::Request request, std::string_view service,
                                   std::string_view region, const Credentials* as) {
  Sign(request, service, region, as != nullptr ? *as : root_);
  if (request.remote_address.empty()) request.remote_address = "127.0.0.1";
  return pipeline_->Handle(request);
}

net::Response ServiceHarness::SendStreamed(net::Request request, std::string_view service,
                                           std::string_view region, const Credentials* as) {
  // Reads the body in small pieces, as a connection delivers it.
  class PieceReader final : public net::BodyReader {
   public:
    explicit PieceReader(std::string body) : body_(std::move(body)) {}
    Result<size_t> Read(char* out, size_t capacity) override {
      size_t n = std::min({capacity, body_.size() - at_, size_t{4096}});
      std::copy_n(body_.data() + at_, n, out);
      at_ += n;
      return n;
    }

   private:
    std::string body_;
    size_t at_ = 0;
  };
  Sign(request, service, region, as != nullptr ? *as : root_);
  if (request.remote_address.empty()) request.remote_address = "127.0.0.1";
  PieceReader body(std::move(request.body));
  request.body.clear();
  return pipeline_->Handle(request, &body);
}

net::Response ServiceHarness::CallJson(std::string_view service, std::string_view operation,
                                       const json::object& input, std::string_view region,
                                       const Credentials* as) {
  const aws::ServiceModel* model = aws::ServiceModel::Find(service);
  KIROKU_CHECK(model != nullptr);
  net::Request request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", model->target_prefix() + "." + std::string(operation)}};
  request.body = json::serialize(input);
  return Send(std::move(request), service, region, as);
}

net::Response ServiceHarness::CallQuery(std::string_view service, std::string_view operation,
                                        const std::map<std::string, std::string>& params,
                                        std::string_view region, const Credentials* as) {
  const aws::ServiceModel* model = aws::ServiceModel::Find(service);
  KIROKU_CHECK(model != nullptr);
  std::string body = "Action=" + UriEncode(operation, false) +
                     "&Version=" + UriEncode(model->api_version(), false);
  for (const auto& [name, value] : params) {
    body += "&" + UriEncode(name, false) + "=" + UriEncode(value, false);
  }
  net::Request request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.body = std::move(body);
  return Send(std::move(request), service, region, as);
}

json::value ServiceHarness::Json(const net::Response& response) {
  boost::system::error_code ec;
  json::value v = json::parse(response.body, ec);
  return ec ? json::value(nullptr) : v;
}

}  // namespace kiroku::testing
