// The operation tables of every served service, as `kiroku serve` builds them (app/services.cc):
// each row names a real operation of its service's model, carries its IAM action written out
// in its service's table file (so `grep -rn '"kms:Encrypt"' src` finds the row), and no
// operation is declared twice.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "app/services.h"
#include "app/stores.h"
#include "aws/model.h"
#include "testing/fake_clock.h"
#include "testing/temp_dir.h"

namespace kiroku::app {
namespace {

// Operations AWS never denies on IAM policy alone, whose rows therefore carry no action:
// the handler checks what is left (an explicit deny of sts:GetSessionToken; the grant itself for
// RetireGrant; each key of DeleteObjects as s3:DeleteObject).
const std::set<std::string> kWithoutAction = {"sts.GetCallerIdentity", "sts.GetSessionToken",
                                              "kms.RetireGrant", "s3.DeleteObjects"};

// The file without white space, so that a row is found however it is wrapped.
std::string ReadCompact(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out;
  for (char c : text.str()) {
    if (c != ' ' && c != '\n' && c != '\t') out += c;
  }
  return out;
}

class ServiceTableTest : public ::testing::Test {
 protected:
  ServiceTableTest()
      : master_key_(crypto::SecretBytes::Random(32)),
        stores_(*Stores::Open(dir_.path(), master_key_, clock_, {})),
        services_(MakeServices(*stores_)) {
    for (const auto& service : services_) {
      std::vector<api::Operation> rows = service->Operations();
      rows_declared_ += rows.size();
    }
    names_ = AddOperations(services_, stores_->operations);
  }

  kiroku::testing::TempDir dir_;
  crypto::SecretBytes master_key_;
  kiroku::testing::FakeClock clock_;
  std::unique_ptr<Stores> stores_;
  std::vector<std::unique_ptr<api::Service>> services_;
  std::vector<std::string> names_;
  size_t rows_declared_ = 0;
};

TEST_F(ServiceTableTest, ServesTheSixServicesInTheirOrder) {
  EXPECT_EQ(names_, (std::vector<std::string>{"sts", "iam", "kms", "s3", "logs", "cloudtrail"}));
  EXPECT_EQ(RestRoutes(services_).size(), 1u);  // S3
}

TEST_F(ServiceTableTest, NoOperationIsDeclaredTwice) {
  EXPECT_EQ(stores_->operations.size(), rows_declared_);
}

TEST_F(ServiceTableTest, EveryRowIsAModelOperationWithItsActionWrittenInItsTable) {
  std::map<std::string, std::string> tables;
  for (const api::Operation* row : stores_->operations.All()) {
    std::string id = row->service + "." + row->name;
    SCOPED_TRACE(id);
    const aws::ServiceModel* model = aws::ServiceModel::Find(row->service);
    ASSERT_NE(model, nullptr);
    EXPECT_NE(model->FindOperation(row->name), nullptr) << "not an operation of the model";
    EXPECT_TRUE(row->handler) << "no handler";
    if (!tables.contains(row->service)) {
      tables[row->service] = ReadCompact(std::string(KIROKU_SOURCE_DIR) + "/src/services/" +
                                         row->service + "/" + row->service + "_service.cc");
      ASSERT_FALSE(tables[row->service].empty());
    }
    const std::string& table = tables[row->service];
    EXPECT_NE(table.find("{\"" + row->service + "\",\"" + row->name + "\","), std::string::npos)
        << "the row is not in src/services/" << row->service << "/" << row->service
        << "_service.cc";
    if (kWithoutAction.contains(id)) {
      EXPECT_TRUE(row->action.empty());
      continue;
    }
    EXPECT_TRUE(row->action.starts_with(row->service + ":")) << row->action;
    EXPECT_NE(table.find("\"" + row->action + "\""), std::string::npos)
        << row->action << " is not written out in the table";
  }
}

TEST_F(ServiceTableTest, ReadOnlyAndDataEventsAsCloudTrailRecordsThem) {
  for (const api::Operation* row : stores_->operations.All()) {
    SCOPED_TRACE(row->service + "." + row->name);
    const std::string& n = row->name;
    bool reads = n.starts_with("Get") || n.starts_with("List") || n.starts_with("Describe") ||
                 n.starts_with("Lookup") || n.starts_with("Simulate") || n.starts_with("Head") ||
                 n.starts_with("Test");
    // Cryptographic operations and searches change nothing either.
    static const std::set<std::string> kAlsoRead = {"Encrypt",
                                                    "Decrypt",
                                                    "ReEncrypt",
                                                    "GenerateDataKey",
                                                    "GenerateDataKeyWithoutPlaintext",
                                                    "GenerateRandom",
                                                    "FilterLogEvents"};
    reads = reads || kAlsoRead.contains(n);
    EXPECT_EQ(row->access == api::Access::kRead, reads);
    bool data = (row->service == "logs" &&
                 (n == "PutLogEvents" || n == "GetLogEvents" || n == "FilterLogEvents")) ||
                (row->service == "s3" &&
                 (n.find("Object") != std::string::npos || n == "CreateMultipartUpload" ||
                  n == "CompleteMultipartUpload" || n == "AbortMultipartUpload" ||
                  n == "UploadPart" || n == "UploadPartCopy" || n == "ListParts"));
    EXPECT_EQ(row->category == api::EventCategory::kData, data);
  }
}

}  // namespace
}  // namespace kiroku::app
