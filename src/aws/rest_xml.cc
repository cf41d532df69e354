#include "aws/rest_xml.h"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

#include "aws/query_codec.h"
#include "common/encoding.h"

namespace kiroku::aws {
namespace {

constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

bool IsFormBody(const net::Request& request) {
  const std::string* type = request.FindHeader("Content-Type");
  return type != nullptr && type->find("application/x-www-form-urlencoded") != std::string::npos;
}

bool HasQueryParam(std::string_view query, std::string_view name) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    if (part.substr(0, part.find('=')) == name) return true;
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return false;
}

// The host without its port, lower-cased.
std::string HostName(const net::Request& request) {
  const std::string* host = request.FindHeader("Host");
  if (host == nullptr) return "";
  std::string h = *host;
  if (!h.empty() && h.front() == '[') return "";  // IPv6 literal: never virtual-hosted
  if (size_t colon = h.rfind(':'); colon != std::string::npos) h.resize(colon);
  for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return h;
}

// The bucket named by a virtual-hosted host: "<bucket>.s3.<...>" or "<bucket>.localhost".
std::optional<std::string> VirtualHostBucket(const std::string& host) {
  if (size_t pos = host.find(".s3."); pos != std::string::npos && pos > 0) {
    return host.substr(0, pos);
  }
  if (host.ends_with(".s3") && host.size() > 3) return host.substr(0, host.size() - 3);
  constexpr std::string_view kLocal = ".localhost";
  if (host.size() > kLocal.size() && host.ends_with(kLocal)) {
    std::string bucket = host.substr(0, host.size() - kLocal.size());
    if (bucket.ends_with(".s3")) bucket.resize(bucket.size() - 3);
    return bucket;
  }
  return std::nullopt;
}

void Convert(const boost::property_tree::ptree& tree, XmlElement& out) {
  out.text = tree.data();
  for (const auto& [name, child] : tree) {
    if (name == "<xmlattr>" || name == "<xmlcomment>") continue;
    XmlElement element;
    std::string_view n = name;
    if (size_t colon = n.find(':'); colon != std::string_view::npos) n = n.substr(colon + 1);
    element.name = std::string(n);
    Convert(child, element);
    out.children.push_back(std::move(element));
  }
}

}  // namespace

bool IsS3Request(const net::Request& request) {
  if (request.FindHeader("X-Amz-Target") != nullptr) return false;
  std::string_view path = request.path();
  if (path.starts_with("/_kiroku/") || path == "/console" || path.starts_with("/console/") ||
      path == "/signin" || path.starts_with("/signin/")) {
    return false;
  }
  if (HasQueryParam(request.query(), "Action")) return false;
  if (request.method == "POST" && path == "/" && IsFormBody(request)) return false;
  return true;
}

Result<S3Target> ParseS3Target(const net::Request& request) {
  S3Target target;
  std::string_view path = request.path();
  if (path.empty() || path.front() != '/') {
    return Status::InvalidArgument("The request path must begin with '/'")
        .WithAwsCode("InvalidURI");
  }
  auto decoded = UriDecode(path.substr(1), /*plus_is_space=*/false);
  if (!decoded) {
    return Status::InvalidArgument("Couldn't parse the specified URI.").WithAwsCode("InvalidURI");
  }
  if (std::optional<std::string> bucket = VirtualHostBucket(HostName(request))) {
    target.bucket = *bucket;
    target.key = *decoded;
    target.virtual_hosted = true;
    return target;
  }
  size_t slash = decoded->find('/');
  target.bucket = decoded->substr(0, slash);
  if (slash != std::string::npos) target.key = decoded->substr(slash + 1);
  return target;
}

Result<std::vector<std::pair<std::string, std::string>>> ParseS3Query(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view part = query.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    pos = amp == std::string_view::npos ? query.size() : amp + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    auto name = UriDecode(part.substr(0, eq), true);
    auto value = UriDecode(eq == std::string_view::npos ? "" : part.substr(eq + 1), true);
    if (!name || !value) {
      return Status::InvalidArgument("Couldn't parse the specified URI.").WithAwsCode("InvalidURI");
    }
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

XmlWriter::XmlWriter(std::string_view root, bool xmlns) {
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<";
  out_ += root;
  if (xmlns) {
    out_ += " xmlns=\"";
    out_ += kS3Namespace;
    out_ += "\"";
  }
  out_ += ">";
  open_.emplace_back(root);
}

XmlWriter& XmlWriter::Open(std::string_view name, std::string_view attributes) {
  out_ += "<";
  out_ += name;
  if (!attributes.empty()) {
    out_ += " ";
    out_ += attributes;
  }
  out_ += ">";
  open_.emplace_back(name);
  return *this;
}

XmlWriter& XmlWriter::Close() {
  out_ += "</" + open_.back() + ">";
  open_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::Leaf(std::string_view name, std::string_view text) {
  out_ += "<";
  out_ += name;
  out_ += ">";
  out_ += XmlEscape(text);
  out_ += "</";
  out_ += name;
  out_ += ">";
  return *this;
}

std::string XmlWriter::Finish() {
  while (!open_.empty()) Close();
  return std::move(out_);
}

const XmlElement* XmlElement::Child(std::string_view child_name) const {
  for (const XmlElement& c : children) {
    if (c.name == child_name) return &c;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::Children(std::string_view child_name) const {
  std::vector<const XmlElement*> out;
  for (const XmlElement& c : children) {
    if (c.name == child_name) out.push_back(&c);
  }
  return out;
}

std::optional<std::string> XmlElement::ChildText(std::string_view child_name) const {
  const XmlElement* c = Child(child_name);
  if (c == nullptr) return std::nullopt;
  return c->text;
}

Result<XmlElement> ParseXml(std::string_view document) {
  boost::property_tree::ptree tree;
  try {
    std::istringstream in{std::string(document)};
    boost::property_tree::read_xml(in, tree, boost::property_tree::xml_parser::trim_whitespace);
  } catch (const std::exception&) {
    return Status::InvalidArgument(
               "The XML you provided was not well-formed or did not validate against our "
               "published schema")
        .WithAwsCode("MalformedXML");
  }
  XmlElement root;
  Convert(tree, root);
  if (root.children.size() != 1) {
    return Status::InvalidArgument(
               "The XML you provided was not well-formed or did not validate against our "
               "published schema")
        .WithAwsCode("MalformedXML");
  }
  return std::move(root.children.front());
}

}  // namespace kiroku::aws
