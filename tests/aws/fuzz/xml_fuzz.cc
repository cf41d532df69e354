// libFuzzer target for S3's request-document reader (aws::ParseXml). Any input must give a
// document or MalformedXML, within the limits: never a crash, never a tree deeper than
// max_depth or with more elements than max_elements. A parsed document is written back with
// XmlWriter and must read again to the same tree.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "aws/rest_xml.h"

namespace {

using kiroku::aws::XmlElement;

// Returns the depth and counts the elements, without recursion.
size_t Measure(const XmlElement& root, size_t& elements) {
  std::vector<std::pair<const XmlElement*, size_t>> stack = {{&root, 1}};
  size_t depth = 0;
  while (!stack.empty()) {
    auto [e, d] = stack.back();
    stack.pop_back();
    ++elements;
    depth = std::max(depth, d);
    for (const XmlElement& c : e->children) stack.emplace_back(&c, d + 1);
  }
  return depth;
}

void Write(const XmlElement& e, kiroku::aws::XmlWriter& w) {
  if (e.children.empty()) {
    w.Leaf(e.name, e.text);
    return;
  }
  w.Open(e.name);
  for (const XmlElement& c : e.children) Write(c, w);  // depth is bounded by max_depth
  w.Close();
}

bool Same(const XmlElement& a, const XmlElement& b) {
  if (a.name != b.name || a.children.size() != b.children.size()) return false;
  if (a.children.empty() && a.text != b.text) return false;
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!Same(a.children[i], b.children[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  kiroku::aws::XmlLimits limits;
  limits.max_depth = 16;
  limits.max_elements = 2000;
  auto doc = kiroku::aws::ParseXml(input, limits);
  if (!doc.ok()) {
    if (doc.status().aws_code() != "MalformedXML") std::abort();
    return 0;
  }
  size_t elements = 0;
  if (Measure(*doc, elements) > limits.max_depth || elements > limits.max_elements) std::abort();
  // Names with characters XmlWriter does not escape (none are legal in a name) are skipped.
  kiroku::aws::XmlWriter writer(doc->name, false);
  for (const XmlElement& c : doc->children) Write(c, writer);
  if (doc->children.empty()) {
    // A leaf root: its text is the only content.
    kiroku::aws::XmlWriter leaf_writer("r", false);
    leaf_writer.Leaf(doc->name, doc->text);
    auto again = kiroku::aws::ParseXml(leaf_writer.Finish(), limits);
    if (!again.ok() || again->children.size() != 1 || again->children[0].text != doc->text) {
      std::abort();
    }
    return 0;
  }
  auto again = kiroku::aws::ParseXml(writer.Finish(), limits);
  if (!again.ok() || !Same(*doc, *again)) std::abort();
  return 0;
}
