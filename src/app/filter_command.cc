#include "app/filter_command.h"

#include <fcntl.h>
#include <simdjson.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "filter/filter_pattern.h"

namespace kiroku::app {
namespace {

constexpr size_t kChunkSize = 8 << 20;  // events are scanned in chunks of about this size

struct Options {
  std::string pattern;
  std::vector<std::string> files;
  bool count = false;
  bool extract = false;
  std::vector<std::string> values;
  unsigned threads = 0;
};

// One input: a memory-mapped file, or owned bytes (stdin, decompressed gzip).
class Input {
 public:
  Input(std::string name) : name_(std::move(name)) {}
  Input(const Input&) = delete;
  Input& operator=(const Input&) = delete;
  ~Input() {
    if (map_ != nullptr) munmap(map_, map_size_);
  }

  const std::string& name() const { return name_; }
  std::string_view data() const {
    if (map_ != nullptr) return {static_cast<const char*>(map_), map_size_};
    return owned_;
  }

  // Loads the input; returns an error message or "".
  std::string Load() {
    if (name_ == "-") return ReadFd(STDIN_FILENO, "(standard input)");
    const int fd = open(name_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return name_ + ": " + std::strerror(errno);
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
      const std::string err =
          name_ + ": " + (S_ISDIR(st.st_mode) ? "is a directory" : std::strerror(errno));
      close(fd);
      return err;
    }
    unsigned char magic[2] = {0, 0};
    const bool gzip = pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip) {
      close(fd);
      return LoadGzip();
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
      void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ,
                     MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        madvise(p, static_cast<size_t>(st.st_size), MADV_SEQUENTIAL);
        map_ = p;
        map_size_ = static_cast<size_t>(st.st_size);
        close(fd);
        return "";
      }
    }
    std::string err = ReadFd(fd, name_);
    close(fd);
    return err;
  }

 private:
  std::string ReadFd(int fd, const std::string& label) {
    char buf[1 << 16];
    while (true) {
      const ssize_t n = read(fd, buf, sizeof(buf));
      if (n == 0) return "";
      if (n < 0) {
        if (errno == EINTR) continue;
        return label + ": " + std::strerror(errno);
      }
      owned_.append(buf, static_cast<size_t>(n));
    }
  }

  std::string LoadGzip() {
    gzFile gz = gzopen(name_.c_str(), "rb");
    if (gz == nullptr) return name_ + ": cannot open gzip file";
    gzbuffer(gz, 1 << 17);
    std::string text;
    char buf[1 << 16];
    int n;
    while ((n = gzread(gz, buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
    int errnum = 0;
    const char* msg = gzerror(gz, &errnum);
    const std::string err = n < 0 ? name_ + ": " + msg : "";
    gzclose(gz);
    if (!err.empty()) return err;
    if (!SplitCloudTrailRecords(text)) owned_ = std::move(text);
    return "";
  }

  // A CloudTrail export file holds {"Records":[...]}: one event per record, minified.
  bool SplitCloudTrailRecords(const std::string& text) {
    const size_t first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos || text[first] != '{') return false;
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    simdjson::dom::array records;
    if (parser.parse(text).get(doc) || doc["Records"].get_array().get(records)) return false;
    for (simdjson::dom::element record : records) {
      owned_ += simdjson::minify(record);
      owned_ += '\n';
    }
    return true;
  }

  std::string name_;
  std::string owned_;
  void* map_ = nullptr;
  size_t map_size_ = 0;
};

struct Task {
  size_t input;
  std::string_view chunk;
  std::string output;
  size_t matches = 0;
};

// Splits `data` into newline-aligned chunks of about kChunkSize.
void AddChunks(size_t input, std::string_view data, std::vector<Task>* tasks) {
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = std::min(data.size(), pos + kChunkSize);
    if (end < data.size()) {
      const size_t nl = data.find('\n', end);
      end = nl == std::string_view::npos ? data.size() : nl + 1;
    }
    tasks->push_back(Task{input, data.substr(pos, end - pos), {}, 0});
    pos = end;
  }
}

std::string Caret(const std::string& pattern, size_t offset) {
  std::string line = "  " + pattern + "\n  ";
  for (size_t i = 0; i < offset && i < pattern.size(); ++i) line += pattern[i] == '\t' ? '\t' : ' ';
  return line + "^\n";
}

// Standard input alone is processed as it arrives (so `tail -f log | kiroku filter ...` prints
// matches promptly): complete lines are scanned after every read. Gzip data is not detected here.
template <typename Emit>
int StreamStdin(const filter::FilterPattern& pattern, const Options& options, Emit& emit) {
  std::string buffer, out;
  size_t count = 0;
  char block[1 << 16];
  const std::string no_prefix;
  while (true) {
    const ssize_t n = read(STDIN_FILENO, block, sizeof(block));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::cerr << "kiroku filter: (standard input): " << std::strerror(errno) << "\n";
      return 2;
    }
    if (n > 0) buffer.append(block, static_cast<size_t>(n));
    // At EOF the remainder is the last line; otherwise scan up to the last newline.
    const size_t last_nl = n == 0 ? buffer.size() : buffer.rfind('\n');
    if (last_nl != std::string::npos && last_nl > 0) {
      const size_t upto = std::min(buffer.size(), last_nl + 1);
      count += pattern.ScanLines(std::string_view(buffer).substr(0, upto),
                                 [&](std::string_view line) { emit(line, no_prefix, &out); });
      buffer.erase(0, upto);
      std::fwrite(out.data(), 1, out.size(), stdout);
      std::fflush(stdout);
      out.clear();
    }
    if (n == 0) break;
  }
  if (options.count) std::printf("%zu\n", count);
  std::fflush(stdout);
  return count > 0 ? 0 : 1;
}

int Run(const Options& options) {
  filter::SyntaxError syntax;
  Result<filter::FilterPattern> compiled = filter::FilterPattern::Compile(options.pattern, &syntax);
  if (!compiled.ok()) {
    std::cerr << "kiroku filter: " << compiled.status().message() << "\n";
    if (options.pattern.size() <= filter::kMaxPatternLength) {
      std::cerr << Caret(options.pattern, syntax.offset);
    }
    return 2;
  }
  const filter::FilterPattern& pattern = *compiled;
  // Check --value expressions once, against the pattern (an empty event cannot match).
  for (const std::string& expr : options.values) {
    Result<std::optional<std::string>> v = pattern.ExtractValue("", expr);
    if (!v.ok()) {
      std::cerr << "kiroku filter: " << v.status().message() << "\n";
      return 2;
    }
  }

  const bool want_values = options.extract || !options.values.empty();
  // Appends the output for one matching line.
  auto emit = [&](std::string_view line, const std::string& prefix, std::string* out) {
    if (options.count) return;
    *out += prefix;
    if (!want_values) {
      *out += line;
    } else {
      filter::ExtractedValues values;
      pattern.Matches(line, &values);
      for (const std::string& expr : options.values) {
        Result<std::optional<std::string>> v = pattern.ExtractValue(line, expr);
        if (v.ok() && v->has_value()) values.emplace_back(expr, **v);
      }
      *out += filter::ExtractedValuesToJson(values);
    }
    *out += '\n';
  };

  std::vector<std::string> names = options.files;
  if (names.empty()) names.push_back("-");
  if (names.size() == 1 && names[0] == "-") return StreamStdin(pattern, options, emit);
  const bool show_names = names.size() > 1;
  bool had_error = false;
  std::vector<std::unique_ptr<Input>> inputs;
  for (const std::string& name : names) {
    auto input = std::make_unique<Input>(name);
    if (std::string err = input->Load(); !err.empty()) {
      std::cerr << "kiroku filter: " << err << "\n";
      had_error = true;
      continue;
    }
    inputs.push_back(std::move(input));
  }

  std::vector<Task> tasks;
  for (size_t i = 0; i < inputs.size(); ++i) AddChunks(i, inputs[i]->data(), &tasks);
  unsigned threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(tasks.size())));

  auto run_task = [&](Task& task) {
    const std::string& name = inputs[task.input]->name();
    const std::string prefix = !show_names ? "" : (name == "-" ? "(standard input)" : name) + ":";
    task.matches = pattern.ScanLines(
        task.chunk, [&](std::string_view line) { emit(line, prefix, &task.output); });
  };

  // Process windows of tasks in parallel and print each window in input order, so output
  // stays ordered while memory stays bounded.
  std::vector<size_t> counts(inputs.size(), 0);
  const size_t window = static_cast<size_t>(threads) * 4;
  for (size_t start = 0; start < tasks.size(); start += window) {
    const size_t end = std::min(tasks.size(), start + window);
    std::atomic<size_t> next{start};
    auto worker = [&] {
      for (size_t t; (t = next.fetch_add(1)) < end;) run_task(tasks[t]);
    };
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads && i < end - start; ++i) pool.emplace_back(worker);
    worker();
    for (auto& th : pool) th.join();
    for (size_t t = start; t < end; ++t) {
      counts[tasks[t].input] += tasks[t].matches;
      std::fwrite(tasks[t].output.data(), 1, tasks[t].output.size(), stdout);
      std::string().swap(tasks[t].output);
    }
  }
  size_t total = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    total += counts[i];
    if (options.count) {
      if (show_names) {
        const std::string& name = inputs[i]->name();
        std::printf("%s:", name == "-" ? "(standard input)" : name.c_str());
      }
      std::printf("%zu\n", counts[i]);
    }
  }
  std::fflush(stdout);
  if (had_error) return 2;
  return total > 0 ? 0 : 1;
}

}  // namespace

CLI::App* AddFilterCommand(CLI::App& root, int& exit_code) {
  auto options = std::make_shared<Options>();
  CLI::App* cmd = root.add_subcommand(
      "filter",
      "Print log events matching a CloudWatch Logs filter pattern (grep-like; no server needed). "
      "Exit 0: matched, 1: no match, 2: bad pattern or unreadable file. Put `--` before a "
      "pattern that starts with '-'.");
  cmd->add_option("pattern", options->pattern,
                  "filter pattern, e.g. '{ $.eventName = \"ConsoleLogin\" }'")
      ->required();
  cmd->add_option("files", options->files,
                  "files with one event per line ('-' for stdin, the default); .gz files are "
                  "decompressed and CloudTrail {\"Records\":[...]} files split into events");
  cmd->add_flag("-c,--count", options->count, "print the number of matching events instead");
  cmd->add_flag("-e,--extract", options->extract,
                "print each match's extracted values ($field, $N) as a JSON object");
  cmd->add_option("--value", options->values,
                  "also extract this metric value expression ($.selector or $field); implies "
                  "--extract (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("-j,--threads", options->threads, "worker threads (default: all cores)");
  cmd->callback([options, &exit_code] { exit_code = Run(*options); });
  return cmd;
}

}  // namespace kiroku::app
