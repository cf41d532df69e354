// `kiroku filter PATTERN [FILE...]`: the filter-pattern engine as a grep-like command. Reads
// events one per line from files or stdin (`-`); gzip files are decompressed, and CloudTrail
// export files ({"Records":[...]}) are split into one event per record. Prints matching events
// (or --count, or --extract for the extracted values as JSON). Needs no server or data dir.
// Exit code: 0 if any event matched, 1 if none did, 2 on a bad pattern or an unreadable file.
#pragma once

#include <CLI/CLI.hpp>

namespace kiroku::app {

// Registers the `filter` subcommand on `root`. Its callback runs the command and stores the
// process exit code in `exit_code`, which must outlive `root`'s parsing.
CLI::App* AddFilterCommand(CLI::App& root, int& exit_code);

}  // namespace kiroku::app
