#include "qr/qr_png.h"

#include <qrencode.h>
#include <zlib.h>

#include <memory>
#include <vector>

namespace kiroku::qr {
namespace {

void PutU32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

// One PNG chunk: length, type, data, CRC-32 of type + data.
void PutChunk(std::string& out, std::string_view type, std::string_view data) {
  PutU32(out, static_cast<uint32_t>(data.size()));
  std::string body(type);
  body.append(data);
  out.append(body);
  PutU32(out, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                          static_cast<uInt>(body.size()))));
}

}  // namespace

Result<std::string> QrCodePng(std::string_view text, int scale, int border) {
  if (scale < 1 || border < 0) return Status::InvalidArgument("bad QR code image geometry");
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M),
      &QRcode_free);
  if (!code) return Status::InvalidArgument("the text does not fit in a QR code");
  const int modules = code->width;
  const int size = (modules + 2 * border) * scale;

  // Raw scanlines: a filter byte (0, none) and one gray byte per pixel; dark modules are black.
  std::string raw;
  raw.reserve(static_cast<size_t>(size) * (size + 1));
  for (int y = 0; y < size; ++y) {
    raw.push_back('\0');
    int my = y / scale - border;
    for (int x = 0; x < size; ++x) {
      int mx = x / scale - border;
      bool dark = mx >= 0 && my >= 0 && mx < modules && my < modules &&
                  (code->data[my * modules + mx] & 1) != 0;
      raw.push_back(dark ? '\0' : static_cast<char>(0xFF));
    }
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    return Status::Internal("cannot compress the QR code image");
  }
  packed.resize(packed_size);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  PutU32(header, static_cast<uint32_t>(size));  // width
  PutU32(header, static_cast<uint32_t>(size));  // height
  header.append(
      {'\x08', '\x00', '\x00', '\x00', '\x00'});  // 8-bit grayscale, deflate, no interlace
  PutChunk(png, "IHDR", header);
  PutChunk(png, "IDAT", packed);
  PutChunk(png, "IEND", "");
  return png;
}

}  // namespace kiroku::qr
