#include "aws/rest_xml.h"

#include <algorithm>
#include <cstdint>

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
  return AsciiLower(h);
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

namespace {

Status Malformed() {
  return Status::InvalidArgument(
             "The XML you provided was not well-formed or did not validate against our "
             "published schema")
      .WithAwsCode("MalformedXML");
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// XML 1.0's Char production: tab, LF, CR and the code points from U+0020 up, without the
// surrogates, U+FFFE and U+FFFF.
bool IsXmlChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

// True when `text` is well-formed UTF-8 (shortest forms only) of XML characters.
bool IsXmlText(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!IsXmlChar(c)) return false;
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > text.size()) return false;
    uint32_t cp = c & (0xFF >> (len + 1));
    for (size_t k = 1; k < len; ++k) {
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (next & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || !IsXmlChar(cp)) return false;
    i += len;
  }
  return true;
}

bool IsNameChar(char c) {
  return !IsSpace(c) && c != '<' && c != '>' && c != '/' && c != '=' && c != '"' && c != '\'' &&
         c != '&' && c != '!' && c != '?';
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A single-pass, non-recursive reader: the open elements are an explicit stack, so a deeply
// nested document costs no native stack and is refused at `max_depth`.
class XmlReader {
 public:
  XmlReader(std::string_view doc, const XmlLimits& limits) : doc_(doc), limits_(limits) {}

  Result<XmlElement> Parse() {
    if (doc_.size() > limits_.max_bytes) return Malformed();
    // A document is UTF-8 of XML characters throughout (no NUL, no stray byte).
    if (!IsXmlText(doc_)) return Malformed();
    if (doc_.starts_with("\xEF\xBB\xBF")) pos_ = 3;
    XmlElement root;
    bool have_root = false;
    std::vector<XmlElement*> open;
    while (pos_ < doc_.size()) {
      if (doc_[pos_] != '<') {
        size_t lt = doc_.find('<', pos_);
        std::string_view raw = doc_.substr(pos_, lt == std::string_view::npos ? lt : lt - pos_);
        pos_ = lt == std::string_view::npos ? doc_.size() : lt;
        if (open.empty()) {
          // Outside the root only whitespace may appear.
          for (char c : raw) {
            if (!IsSpace(c)) return Malformed();
          }
          continue;
        }
        RETURN_IF_ERROR(AppendText(raw, open.back()->text));
        continue;
      }
      std::string_view rest = doc_.substr(pos_);
      if (rest.starts_with("<!--")) {
        size_t end = doc_.find("-->", pos_ + 4);
        if (end == std::string_view::npos) return Malformed();
        pos_ = end + 3;
      } else if (rest.starts_with("<?")) {
        size_t end = doc_.find("?>", pos_ + 2);
        if (end == std::string_view::npos) return Malformed();
        pos_ = end + 2;
      } else if (rest.starts_with("<![CDATA[")) {
        if (open.empty()) return Malformed();
        size_t end = doc_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) return Malformed();
        open.back()->text.append(doc_.substr(pos_ + 9, end - pos_ - 9));
        if (open.back()->text.size() > limits_.max_bytes) return Malformed();
        pos_ = end + 3;
      } else if (rest.starts_with("</")) {
        if (open.empty()) return Malformed();
        pos_ += 2;
        std::string_view name = Name();
        SkipSpace();
        if (name.empty() || pos_ >= doc_.size() || doc_[pos_] != '>') return Malformed();
        ++pos_;
        if (name != open_names_.back()) return Malformed();
        Close(*open.back());
        open.pop_back();
        open_names_.pop_back();
      } else if (rest.starts_with("<!")) {
        return Malformed();  // DOCTYPE and other declarations: no entity expansion, ever
      } else {
        ++pos_;
        std::string_view name = Name();
        if (name.empty()) return Malformed();
        if (open.empty() && have_root) return Malformed();  // a second root
        if (++elements_ > limits_.max_elements) return Malformed();
        if (open.size() >= limits_.max_depth) return Malformed();
        bool self_closing = false;
        RETURN_IF_ERROR(Attributes(self_closing));
        XmlElement* element;
        if (open.empty()) {
          element = &root;
          have_root = true;
        } else {
          element = &open.back()->children.emplace_back();
        }
        std::string_view local = name;
        if (size_t colon = local.rfind(':'); colon != std::string_view::npos) {
          local = local.substr(colon + 1);
        }
        if (local.empty()) return Malformed();
        element->name = std::string(local);
        if (!self_closing) {
          open.push_back(element);
          open_names_.push_back(name);
        }
      }
    }
    if (!have_root || !open.empty()) return Malformed();
    return root;
  }

 private:
  std::string_view Name() {
    size_t start = pos_;
    while (pos_ < doc_.size() && IsNameChar(doc_[pos_])) ++pos_;
    return doc_.substr(start, pos_ - start);
  }

  void SkipSpace() {
    while (pos_ < doc_.size() && IsSpace(doc_[pos_])) ++pos_;
  }

  // Attributes are checked for syntax and dropped (no S3 request document needs one).
  Status Attributes(bool& self_closing) {
    while (true) {
      SkipSpace();
      if (pos_ >= doc_.size()) return Malformed();
      if (doc_[pos_] == '>') {
        ++pos_;
        return Status::Ok();
      }
      if (doc_[pos_] == '/') {
        if (pos_ + 1 >= doc_.size() || doc_[pos_ + 1] != '>') return Malformed();
        pos_ += 2;
        self_closing = true;
        return Status::Ok();
      }
      if (Name().empty()) return Malformed();
      SkipSpace();
      if (pos_ >= doc_.size() || doc_[pos_] != '=') return Malformed();
      ++pos_;
      SkipSpace();
      if (pos_ >= doc_.size() || (doc_[pos_] != '"' && doc_[pos_] != '\'')) return Malformed();
      char quote = doc_[pos_++];
      size_t end = doc_.find(quote, pos_);
      if (end == std::string_view::npos) return Malformed();
      std::string_view value = doc_.substr(pos_, end - pos_);
      if (value.find('<') != std::string_view::npos) return Malformed();
      std::string ignored;
      RETURN_IF_ERROR(AppendText(value, ignored));
      pos_ = end + 1;
    }
  }

  // Character data with the predefined and numeric entities resolved.
  Status AppendText(std::string_view raw, std::string& out) const {
    size_t i = 0;
    while (i < raw.size()) {
      size_t amp = raw.find('&', i);
      out.append(raw.substr(i, amp == std::string_view::npos ? amp : amp - i));
      if (amp == std::string_view::npos) break;
      size_t semi = raw.find(';', amp);
      if (semi == std::string_view::npos || semi - amp > 12) return Malformed();
      std::string_view entity = raw.substr(amp + 1, semi - amp - 1);
      if (entity == "lt") {
        out.push_back('<');
      } else if (entity == "gt") {
        out.push_back('>');
      } else if (entity == "amp") {
        out.push_back('&');
      } else if (entity == "quot") {
        out.push_back('"');
      } else if (entity == "apos") {
        out.push_back('\'');
      } else if (entity.size() > 1 && entity[0] == '#') {
        bool hex = entity[1] == 'x';
        std::string_view digits = entity.substr(hex ? 2 : 1);
        if (digits.empty()) return Malformed();
        uint32_t cp = 0;
        for (char c : digits) {
          int d = (c >= '0' && c <= '9')          ? c - '0'
                  : hex && (c >= 'a' && c <= 'f') ? c - 'a' + 10
                  : hex && (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                                  : -1;
          if (d < 0) return Malformed();
          cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
          if (cp > 0x10FFFF) return Malformed();
        }
        if (!IsXmlChar(cp)) return Malformed();
        AppendUtf8(out, cp);
      } else {
        return Malformed();
      }
      i = semi + 1;
    }
    if (out.size() > limits_.max_bytes) return Malformed();
    return Status::Ok();
  }

  // An element with children keeps no text (the whitespace between them); a leaf keeps its
  // text exactly (S3 keys may begin or end with spaces).
  static void Close(XmlElement& element) {
    if (element.children.empty()) return;
    bool blank = std::all_of(element.text.begin(), element.text.end(), IsSpace);
    if (blank) element.text.clear();
  }

  std::string_view doc_;
  const XmlLimits& limits_;
  size_t pos_ = 0;
  size_t elements_ = 0;
  std::vector<std::string_view> open_names_;
};

}  // namespace

Result<XmlElement> ParseXml(std::string_view document, const XmlLimits& limits) {
  return XmlReader(document, limits).Parse();
}

}  // namespace kiroku::aws
