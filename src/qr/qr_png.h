// QR codes as PNG images: what IAM's CreateVirtualMFADevice returns in QRCodePNG, so an
// authenticator app can scan the device's otpauth:// URI. Encoding by libqrencode (error
// correction level M, byte mode), the image written here as an 8-bit grayscale PNG (zlib for
// IDAT and the chunk CRCs). No other module knows about images.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace kiroku::qr {

// The PNG bytes of `text` as a QR code, each module `scale` pixels wide, with a quiet zone of
// `border` modules. InvalidArgument when the text does not fit in a QR code.
Result<std::string> QrCodePng(std::string_view text, int scale = 4, int border = 4);

}  // namespace kiroku::qr
