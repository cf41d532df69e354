// `kiroku serve`: opens the data dir, bootstraps the account on first start, and serves every
// AWS API on one port until SIGINT/SIGTERM, then stops gracefully (in-flight requests finish,
// the store is flushed and closed) and exits 0.
#pragma once

#include <CLI/CLI.hpp>

namespace kiroku::app {

// Registers the subcommand; its callback stores the process exit code in `exit_code`.
CLI::App* AddServeCommand(CLI::App& root, int& exit_code);

}  // namespace kiroku::app
