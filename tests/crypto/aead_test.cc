#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <string>

#include "common/encoding.h"

namespace kiroku::crypto {
namespace {

std::string Hex(std::string_view hex) {
  std::optional<std::string> bytes = HexDecode(hex);
  KIROKU_CHECK(bytes.has_value());
  return *bytes;
}

SecretBytes Key(std::string_view hex) { return SecretBytes(Hex(hex)); }

// Test cases from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)" (the NIST GCM
// submission), appendix B: cases 1-4 (AES-128) and 13-16 (AES-256), all with 96-bit IVs.
struct GcmVector {
  const char* name;
  const char* key;
  const char* iv;
  const char* plaintext;
  const char* aad;
  const char* ciphertext;
  const char* tag;
};

constexpr char kKey3[] = "feffe9928665731c6d6a8f9467308308";
constexpr char kKey15[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
constexpr char kIv3[] = "cafebabefacedbaddecaf888";
constexpr char kP3[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b5"
    "25b16aedf5aa0de657ba637b391aafd255";
constexpr char kP4[] =
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b5"
    "25b16aedf5aa0de657ba637b39";
constexpr char kA4[] = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

const GcmVector kVectors[] = {
    {"case 1", "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"case 2", "00000000000000000000000000000000", "000000000000000000000000",
     "00000000000000000000000000000000", "", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"case 3", kKey3, kIv3, kP3, "",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"case 4", kKey3, kIv3, kP4, kA4,
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84"
     "aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
    {"case 13", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    {"case 14", "0000000000000000000000000000000000000000000000000000000000000000",
     "000000000000000000000000", "00000000000000000000000000000000", "",
     "cea7403d4d606b6e074ec5d3baf39d18", "d0d1c8a799996bf0265b98b5d48ab919"},
    {"case 15", kKey15, kIv3, kP3, "",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
     "828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    {"case 16", kKey15, kIv3, kP4, kA4,
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056"
     "828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(AeadTest, GcmSpecVectorsEncrypt) {
  for (const GcmVector& v : kVectors) {
    Result<std::string> out = AesGcmEncrypt(Key(v.key), Hex(v.iv), Hex(v.plaintext), Hex(v.aad));
    ASSERT_TRUE(out.ok()) << v.name << ": " << out.status().ToString();
    EXPECT_EQ(HexEncode(*out), std::string(v.ciphertext) + v.tag) << v.name;
  }
}

TEST(AeadTest, GcmSpecVectorsDecrypt) {
  for (const GcmVector& v : kVectors) {
    Result<std::string> out =
        AesGcmDecrypt(Key(v.key), Hex(v.iv), Hex(std::string(v.ciphertext) + v.tag), Hex(v.aad));
    ASSERT_TRUE(out.ok()) << v.name << ": " << out.status().ToString();
    EXPECT_EQ(HexEncode(*out), v.plaintext) << v.name;
  }
}

TEST(AeadTest, SealOpenRoundTripWithBothKeySizes) {
  for (size_t key_size : {kAes128KeyBytes, kAes256KeyBytes}) {
    SecretBytes key = SecretBytes::Random(key_size);
    for (std::string plaintext : {std::string(), std::string("x"), std::string(100000, 'z')}) {
      Result<std::string> sealed = AeadSeal(key, plaintext, "context");
      ASSERT_TRUE(sealed.ok());
      EXPECT_EQ(sealed->size(), plaintext.size() + kAeadOverheadBytes);
      Result<std::string> opened = AeadOpen(key, *sealed, "context");
      ASSERT_TRUE(opened.ok()) << opened.status().ToString();
      EXPECT_EQ(*opened, plaintext);
    }
  }
}

TEST(AeadTest, SealedFormatIsNonceCiphertextTag) {
  SecretBytes key = Key(kKey15);
  Result<std::string> sealed = AeadSeal(key, Hex(kP4), Hex(kA4));
  ASSERT_TRUE(sealed.ok());
  // Re-encrypting with the nonce taken from the front must reproduce the rest exactly.
  std::string nonce = sealed->substr(0, kAeadNonceBytes);
  Result<std::string> expected = AesGcmEncrypt(key, nonce, Hex(kP4), Hex(kA4));
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(sealed->substr(kAeadNonceBytes), *expected);
}

TEST(AeadTest, NoncesAreFresh) {
  SecretBytes key = SecretBytes::Random(32);
  Result<std::string> a = AeadSeal(key, "same", "");
  Result<std::string> b = AeadSeal(key, "same", "");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->substr(0, kAeadNonceBytes), b->substr(0, kAeadNonceBytes));
  EXPECT_NE(*a, *b);
}

TEST(AeadTest, EveryFlippedBitIsRejected) {
  SecretBytes key = SecretBytes::Random(32);
  Result<std::string> sealed = AeadSeal(key, "attack at dawn", "aad");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size() * 8; ++i) {
    std::string tampered = *sealed;
    tampered[i / 8] = static_cast<char>(tampered[i / 8] ^ (1 << (i % 8)));
    Result<std::string> opened = AeadOpen(key, tampered, "aad");
    ASSERT_FALSE(opened.ok()) << "bit " << i;
    EXPECT_EQ(opened.status().code(), Code::kInvalidArgument);
  }
}

TEST(AeadTest, WrongKeyAadOrTruncationIsRejected) {
  SecretBytes key = SecretBytes::Random(32);
  Result<std::string> sealed = AeadSeal(key, "secret", "aad");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(AeadOpen(SecretBytes::Random(32), *sealed, "aad").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(AeadOpen(key, *sealed, "aae").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(AeadOpen(key, *sealed, "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(AeadOpen(key, sealed->substr(0, sealed->size() - 1), "aad").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(AeadOpen(key, sealed->substr(0, kAeadOverheadBytes - 1), "aad").status().code(),
            Code::kInvalidArgument);
  EXPECT_EQ(AeadOpen(key, *sealed + "x", "aad").status().code(), Code::kInvalidArgument);
}

TEST(AeadTest, BadKeyOrNonceSizeIsInvalidArgument) {
  EXPECT_EQ(AeadSeal(SecretBytes::Random(24), "p", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(AeadSeal(SecretBytes(), "p", "").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(AesGcmEncrypt(SecretBytes::Random(32), "short", "p", "").status().code(),
            Code::kInvalidArgument);
}

TEST(KeyWrapTest, RoundTripAndLabelBinding) {
  SecretBytes master = SecretBytes::Random(32);
  SecretBytes data_key = SecretBytes::Random(32);
  Result<std::string> wrapped = WrapKey(master, data_key, "key/1234/v1");
  ASSERT_TRUE(wrapped.ok());
  EXPECT_EQ(wrapped->size(), 1 + kAeadOverheadBytes + 32);
  EXPECT_EQ(wrapped->find(std::string(data_key.view())), std::string::npos);

  Result<SecretBytes> unwrapped = UnwrapKey(master, *wrapped, "key/1234/v1");
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status().ToString();
  EXPECT_TRUE(unwrapped->Equals(data_key));

  EXPECT_EQ(UnwrapKey(master, *wrapped, "key/1234/v2").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(UnwrapKey(SecretBytes::Random(32), *wrapped, "key/1234/v1").status().code(),
            Code::kInvalidArgument);
  std::string bad_version = *wrapped;
  bad_version[0] = 0x02;
  EXPECT_EQ(UnwrapKey(master, bad_version, "key/1234/v1").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(WrapKey(SecretBytes::Random(16), data_key, "l").status().code(),
            Code::kInvalidArgument);
}

TEST(KeyWrapTest, WrappedKeyIsNotAPlainSealUnderTheSameLabel) {
  // Domain separation: a blob sealed by AeadSeal with aad == label must not unwrap.
  SecretBytes master = SecretBytes::Random(32);
  Result<std::string> sealed = AeadSeal(master, std::string(32, 'k'), "label");
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(UnwrapKey(master, std::string(1, '\x01') + *sealed, "label").ok());
}

}  // namespace
}  // namespace kiroku::crypto
