// A private `kiroku`-like binary with only the `filter` subcommand, so the CLI can be tested
// (tests/e2e/test_filter_cli.py via KIROKU_FILTER_BIN) before the app module links it.
#include <CLI/CLI.hpp>

#include "app/filter_command.h"

int main(int argc, char** argv) {
  CLI::App app{"kiroku (filter command only)"};
  app.require_subcommand(1);
  int exit_code = 0;
  kiroku::app::AddFilterCommand(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_code;
}
