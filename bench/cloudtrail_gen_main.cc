// cloudtrail_gen: writes deterministic CloudTrail records, one JSON object per line.
// Usage: cloudtrail_gen OUTPUT SIZE_MB [SEED]   (OUTPUT "-" for stdout)
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cloudtrail_gen.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUTPUT SIZE_MB [SEED]\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  const size_t mb = std::strtoull(argv[2], nullptr, 10);
  const uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20140101;
  FILE* f = path == "-" ? stdout : std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(path.c_str());
    return 2;
  }
  kiroku::bench::CloudTrailGenerator gen(seed);
  std::string buf;
  size_t written = 0;
  while (written < mb << 20) {
    buf.clear();
    gen.AppendLines(8 << 20, &buf);
    if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) {
      std::perror(path.c_str());
      return 2;
    }
    written += buf.size();
  }
  if (f != stdout && std::fclose(f) != 0) {
    std::perror(path.c_str());
    return 2;
  }
  return 0;
}
