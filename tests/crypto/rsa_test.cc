#include "crypto/rsa.h"

#include <gtest/gtest.h>

#include <string>

#include "common/check.h"
#include "common/encoding.h"

namespace kiroku::crypto {
namespace {

std::string Hex(std::string_view hex) {
  std::optional<std::string> bytes = HexDecode(hex);
  KIROKU_CHECK(bytes.has_value());
  return *bytes;
}

// A 2048-bit key made with `openssl genrsa -traditional`; the signature by
// `openssl dgst -sha256 -sign` of "kiroku digest test".
constexpr const char* kPrivateDer =
    "308204a40201000282010100baf18d533480f6b32bb26633676929ee3bd91c92ab5698548c70fcb82206a5a9bcb04b"
    "fe"
    "080d13052c86dc492323a0bc8ea1acfa9309fa0c86a7747b596d51252fd87635d15e28b6cfe72a7bfc392c8c77cd30"
    "9e"
    "c72ecf570a381e940fd8578e7ae237ed94ba7427b5bdf8b8b04416e7e2c09926ab869a423d4f47e7f3052afd0227c9"
    "f7"
    "51286829081ee5926a389b861c2f30651801a56a9ea04194e1d8df069a644e534f502f0bd00565ab4f521a2a8599e8"
    "8b"
    "a94d58ca31dd2b746242ffac170c0f02927a5a861d2edcb4c9c0d1d693d19f3325f8082c4cc0ed83c333ff339d64d4"
    "89"
    "cda9b64365f32b411d58e6ee86e0b3b4070a958a4ebce88e5292d08302030100010282010044665b4a455ca6673a26"
    "c5"
    "242bc31bb77228673ef6f7f136864854ff5e5bc6438ba989b481e79ebcf6e4c536f16778c964fa9cdaf5efe190b1b8"
    "15"
    "73886dea11cc26cc61b6a0580f43949643d52e6a315f283190f6da16bd071d2f7b072d262418ac2ac07ff994c46ec7"
    "fa"
    "7840ee38df51651ce43c403cb2ddd1e34267f5cd1b32a12af8645c02b1051b8bf7dd4c35812fcf3deeffb9c8df6abc"
    "db"
    "faaeee6df50f86abc41c3498b92295cafe51d4e794551445cdebb377322ebf0eb7f4db35b45c177a1b61f59015a4d3"
    "30"
    "daef9b2eed930fe4c17d955fbfc641275cc82fc52ae41dc79728d53dceb984f436080f2d3154bc32330d8016c1e6ca"
    "a4"
    "867e54354102818100f4183cb77b84983ae16897e0dbe542a77540e0b333866b836a0a2488ee6a081e42850b630b02"
    "d8"
    "c5da506b0cdcb30520a672d7a8faa24c652b54ba877604aa6ed6bb3beccce84acb98271484e7308d697c507f8f0ffa"
    "6f"
    "c624cc21613f7e0cb298241de0c558635a0726afd12e1ca52a365da64a546773bb2db3a7e71f17f2e302818100c40f"
    "ba"
    "126a4f476feb951435a5ba027f2166c83975c8bd009b98a2d26b3a2d0950f7b4d7dc9bf1f99cc41194f2ad8046caea"
    "44"
    "70175fd38c73dfc411f0eaf54180a136783173c330a94c6e9fea039da8a7433466d5824b66ef75a675ba65e51106b2"
    "93"
    "86b460ece45c19e59409b2f07c27f830b481feeeabce945b88ab54fde102818100d4b44e2c81792102a62bf3b56149"
    "5d"
    "94f94b28c35fd1f1dc594a2f5e178bd439323427a10e1653f9cd6d286bd3e23844a4670ce0d64f198d4b7e10f13bf9"
    "82"
    "df0545b1497fa1a893d3a9b26ac1df804afca65511c095b6530efbc6d6ac7255f44739a9c395949936f9664fed5366"
    "68"
    "d2e8ff208a4314c737c3f27b0c9efeca8b02818100a6215d5db54f300d19e5dc9608b3b0e1e07fa3316d28875e387a"
    "01"
    "9da2d64ccb141c90d4484eab9f02c2f0d2f13f2aeed189e82bc2e2a3f2e34cbc6b276530242cc66dcd32ba10aeef05"
    "a0"
    "c7481780442456c1d4511e729dea521a96af371ffe695a6fbf38a0d89a37a089f402b3e92a8b03b6e17d35732f8980"
    "14"
    "7f9e0e0a8102818012984d99eb917a014788ec57983848f32125bdad0f60f3e9f4a029bf7f3cf7bc659cd472f6a13b"
    "df"
    "400077a7cd6d7f766b421f17e25e33f64f16745eba0d2b670bc52c89e9c254e77ab0ea3aea37ab43cd6ec88a4fd391"
    "ff"
    "e9a5aed0ad13d87434a56ac94cc2d3c8f54a644d8df4cc2160d124cc190c3cc313f341ac206b3c66";
constexpr const char* kPublicDer =
    "3082010a0282010100baf18d533480f6b32bb26633676929ee3bd91c92ab5698548c70fcb82206a5a9bcb04bfe080d"
    "13"
    "052c86dc492323a0bc8ea1acfa9309fa0c86a7747b596d51252fd87635d15e28b6cfe72a7bfc392c8c77cd309ec72e"
    "cf"
    "570a381e940fd8578e7ae237ed94ba7427b5bdf8b8b04416e7e2c09926ab869a423d4f47e7f3052afd0227c9f75128"
    "68"
    "29081ee5926a389b861c2f30651801a56a9ea04194e1d8df069a644e534f502f0bd00565ab4f521a2a8599e88ba94d"
    "58"
    "ca31dd2b746242ffac170c0f02927a5a861d2edcb4c9c0d1d693d19f3325f8082c4cc0ed83c333ff339d64d489cda9"
    "b6"
    "4365f32b411d58e6ee86e0b3b4070a958a4ebce88e5292d0830203010001";
constexpr const char* kSignature =
    "22bea4c4218fc99f2491e0e83ecb997a9c3895417a80340d5d10f76c427f9c1a9806d68b8bcfeb2846721bacec7066"
    "8e"
    "b70c7686b4faba67e789f313e05536c47dfc7115ebb62f14d19ee550a6104619f2bfdc3a3a91bcc213baca0dabdb45"
    "29"
    "c5990a260e2492962424395b2420541841106eb1fb1e9b7e25be61a7d650299566adc6fd16283a1783f620ac681d16"
    "76"
    "87cdbd924eac281333aa0c6c75be05f9645d02ab2308c4f33a3643b34087afd374cb958491a0358b30e44e195dcf66"
    "a3"
    "90a0346460e1e07ad71d470d2f18c0b74348538413497bb6825b1c3b0ecb05426a31f91244ab25559714c0c69c9932"
    "68"
    "4198fd8ff28aa916261ce7a31ce1a15d";

TEST(RsaTest, SignaturesMatchOpenSslCli) {
  auto key = RsaPrivateKey::FromDer(SecretBytes(Hex(kPrivateDer)));
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  EXPECT_EQ(key->bits(), 2048);
  auto pub = key->PublicKeyDer();
  ASSERT_TRUE(pub.ok());
  EXPECT_EQ(HexEncode(*pub), kPublicDer);
  // PKCS#1 v1.5 signatures are deterministic: the same bytes as the openssl CLI.
  auto sig = key->SignSha256("kiroku digest test");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(HexEncode(*sig), kSignature);
}

TEST(RsaTest, VerifiesKnownSignature) {
  auto ok = VerifySha256Rsa(Hex(kPublicDer), "kiroku digest test", Hex(kSignature));
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(*ok);
  auto other = VerifySha256Rsa(Hex(kPublicDer), "kiroku digest test!", Hex(kSignature));
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(*other);
}

TEST(RsaTest, GeneratedKeyRoundTrips) {
  auto key = RsaPrivateKey::Generate(2048);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->bits(), 2048);
  auto der = key->PrivateKeyDer();
  ASSERT_TRUE(der.ok());
  auto again = RsaPrivateKey::FromDer(*der);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again->PublicKeyDer(), *key->PublicKeyDer());
  auto sig = again->SignSha256("message");
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->size(), 256u);
  EXPECT_TRUE(*VerifySha256Rsa(*key->PublicKeyDer(), "message", *sig));
}

TEST(RsaTest, AlteredSignatureOrOtherKeyFails) {
  auto key = RsaPrivateKey::Generate();
  auto other = RsaPrivateKey::Generate();
  ASSERT_TRUE(key.ok() && other.ok());
  std::string sig = *key->SignSha256("message");
  EXPECT_FALSE(*VerifySha256Rsa(*other->PublicKeyDer(), "message", sig));
  sig[10] = static_cast<char>(sig[10] ^ 1);
  EXPECT_FALSE(*VerifySha256Rsa(*key->PublicKeyDer(), "message", sig));
  EXPECT_FALSE(*VerifySha256Rsa(*key->PublicKeyDer(), "message", ""));
}

TEST(RsaTest, RejectsMalformedKeys) {
  EXPECT_EQ(VerifySha256Rsa("not a key", "m", "s").status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::FromDer(SecretBytes("junk")).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(RsaPrivateKey::Generate(512).status().code(), Code::kInvalidArgument);
}

}  // namespace
}  // namespace kiroku::crypto
