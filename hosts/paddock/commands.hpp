// The `paddock` subcommands. Each takes the arguments after its name and returns an exit code.
#pragma once

#include <string>
#include <vector>

namespace paddock::host {

int run_command(const std::vector<std::string>& arguments);
int validate_command(const std::vector<std::string>& arguments);
int plugins_command(const std::vector<std::string>& arguments);
int graph_command(const std::vector<std::string>& arguments);
int serve_command(const std::vector<std::string>& arguments);

}  // namespace paddock::host
