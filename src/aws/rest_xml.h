// S3's REST-XML protocol: which requests are S3 requests, the bucket and key they address
// (path-style /bucket/key, virtual-hosted bucket.localhost:<port> or bucket.s3.<anything>),
// a small XML writer for S3's response documents, and a small XML reader for its request
// documents (CreateBucketConfiguration, Delete, CompleteMultipartUpload, Tagging,
// ServerSideEncryptionConfiguration). Pure functions and value types; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/http.h"

namespace kiroku::aws {

// True for requests that belong to S3: no X-Amz-Target, no Action= parameter, not a form POST
// to "/" (awsQuery), and not one of kiroku's own paths (/_kiroku/, /console, /signin).
bool IsS3Request(const net::Request& request);

struct S3Target {
  std::string bucket;  // empty: the service itself (ListBuckets)
  std::string key;     // empty: the bucket itself
  bool virtual_hosted = false;
};

// The bucket and key of an S3 request, percent-decoded. InvalidArgument for a malformed
// percent-encoding.
Result<S3Target> ParseS3Target(const net::Request& request);

// Query parameters of an S3 request, percent-decoded, in order ("?uploads" gives {"uploads",""}).
Result<std::vector<std::pair<std::string, std::string>>> ParseS3Query(std::string_view query);

// Builds an XML document: Open/Close elements, Leaf for text elements (escaped).
class XmlWriter {
 public:
  // Starts with the XML declaration and the root element (with S3's namespace when `xmlns`).
  explicit XmlWriter(std::string_view root, bool xmlns = true);
  // `attributes`, when given, is written verbatim after the name ("xsi:type=\"...\"").
  XmlWriter& Open(std::string_view name, std::string_view attributes = {});
  XmlWriter& Close();
  XmlWriter& Leaf(std::string_view name, std::string_view text);
  // Closes every open element and returns the document.
  std::string Finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// A parsed XML element: name without namespace prefix, text, children in order.
struct XmlElement {
  std::string name;
  std::string text;
  std::vector<XmlElement> children;

  const XmlElement* Child(std::string_view child_name) const;
  std::vector<const XmlElement*> Children(std::string_view child_name) const;
  // The text of a child element, or nullopt.
  std::optional<std::string> ChildText(std::string_view child_name) const;
};

// Bounds on a request document, checked while it is read (S3 answers MalformedXML beyond them).
struct XmlLimits {
  size_t max_bytes = 2 * 1024 * 1024;  // the document, and any one element's text
  size_t max_depth = 64;               // nesting of elements (S3's documents need 4)
  size_t max_elements = 100000;        // DeleteObjects: 1000 objects of 3 elements
};

// Parses a document; MalformedXML (InvalidArgument) when it is not well-formed, declares a
// DOCTYPE (no entity is ever expanded) or exceeds `limits`. The reader is iterative: the depth
// of a document never reaches the native stack. Attributes are checked and dropped; element
// names lose their namespace prefix; a leaf's text is kept exactly, with entities resolved.
Result<XmlElement> ParseXml(std::string_view document, const XmlLimits& limits = {});

}  // namespace kiroku::aws
