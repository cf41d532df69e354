// kiroku: a self-hosted audit trail and encrypted log service speaking AWS's wire protocols.
#include <CLI/CLI.hpp>

#include "app/filter_command.h"
#include "app/serve_command.h"

int main(int argc, char** argv) {
  CLI::App app{"kiroku (記録): CloudTrail, CloudWatch Logs, KMS, IAM and STS in one binary"};
  app.set_version_flag("--version", KIROKU_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  kiroku::app::AddServeCommand(app, exit_code);
  kiroku::app::AddFilterCommand(app, exit_code);
  CLI11_PARSE(app, argc, argv);
  return exit_code;
}
