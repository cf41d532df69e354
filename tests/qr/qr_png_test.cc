// The PNG is checked structurally (signature, chunk CRCs, IHDR) and pixel by pixel against the
// module matrix libqrencode produces for the same text, including the three finder patterns.
#include "qr/qr_png.h"

#include <gtest/gtest.h>
#include <qrencode.h>
#include <zlib.h>

namespace kiroku::qr {
namespace {

uint32_t U32(std::string_view s, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

struct Image {
  uint32_t width = 0, height = 0;
  int bit_depth = 0, color_type = 0;
  std::string pixels;  // scanlines with their filter bytes
};

Image Decode(const std::string& png) {
  Image image;
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  std::string idat;
  size_t at = 8;
  std::vector<std::string> types;
  while (at + 12 <= png.size()) {
    uint32_t length = U32(png, at);
    std::string type = png.substr(at + 4, 4);
    std::string data = png.substr(at + 8, length);
    uint32_t crc = U32(png, at + 8 + length);
    std::string covered = type + data;
    EXPECT_EQ(crc, crc32(0L, reinterpret_cast<const Bytef*>(covered.data()),
                         static_cast<uInt>(covered.size())))
        << type;
    types.push_back(type);
    if (type == "IHDR") {
      image.width = U32(data, 0);
      image.height = U32(data, 4);
      image.bit_depth = data[8];
      image.color_type = data[9];
    }
    if (type == "IDAT") idat += data;
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  uLongf size = static_cast<uLongf>(image.height) * (image.width + 1);
  image.pixels.resize(size);
  EXPECT_EQ(
      uncompress(reinterpret_cast<Bytef*>(image.pixels.data()), &size,
                 reinterpret_cast<const Bytef*>(idat.data()), static_cast<uLong>(idat.size())),
      Z_OK);
  EXPECT_EQ(size, image.pixels.size());
  return image;
}

TEST(QrPngTest, RendersLibqrencodesModulesAsAGrayscalePng) {
  const std::string text =
      "otpauth://totp/"
      "alice-phone@123456789012?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPJBSWY3DP";
  const int scale = 3, border = 4;
  auto png = QrCodePng(text, scale, border);
  ASSERT_TRUE(png.ok()) << png.status().ToString();
  QRcode* code =
      QRcode_encodeData(static_cast<int>(text.size()),
                        reinterpret_cast<const unsigned char*>(text.data()), 0, QR_ECLEVEL_M);
  ASSERT_NE(code, nullptr);
  const int modules = code->width;
  Image image = Decode(*png);
  EXPECT_EQ(image.width, static_cast<uint32_t>((modules + 2 * border) * scale));
  EXPECT_EQ(image.height, image.width);
  EXPECT_EQ(image.bit_depth, 8);
  EXPECT_EQ(image.color_type, 0);    // grayscale
  auto dark = [&](int mx, int my) {  // the module's top-left pixel
    size_t row = static_cast<size_t>((my + border) * scale) * (image.width + 1);
    EXPECT_EQ(image.pixels[row], '\0');  // filter: none
    return image.pixels[row + 1 + static_cast<size_t>((mx + border) * scale)] == '\0';
  };
  for (int y = 0; y < modules; ++y) {
    for (int x = 0; x < modules; ++x) {
      ASSERT_EQ(dark(x, y), (code->data[y * modules + x] & 1) != 0) << x << "," << y;
    }
  }
  // The finder pattern in each of three corners: dark ring, light ring, dark 3x3 center.
  for (auto [ox, oy] : {std::pair{0, 0}, std::pair{modules - 7, 0}, std::pair{0, modules - 7}}) {
    EXPECT_TRUE(dark(ox, oy));
    EXPECT_FALSE(dark(ox + 1, oy + 1));
    EXPECT_TRUE(dark(ox + 3, oy + 3));
  }
  // The quiet zone is light.
  size_t first_row = 0;
  for (uint32_t x = 0; x < image.width; ++x) EXPECT_EQ(image.pixels[first_row + 1 + x], '\xFF');
  QRcode_free(code);
}

TEST(QrPngTest, RefusesWhatDoesNotFit) {
  EXPECT_EQ(QrCodePng(std::string(8000, 'x')).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(QrCodePng("x", 0).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace kiroku::qr
