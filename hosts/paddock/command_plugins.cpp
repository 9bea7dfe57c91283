// `paddock plugins`: what every plugin found offers, like gst-inspect.
#include <iostream>

#include "commands.hpp"
#include "host_setup.hpp"
#include "paddock/core/plugin_describer.hpp"

namespace paddock::host {

int plugins_command(const std::vector<std::string>& arguments) {
  po::options_description options = common_options();
  options.add_options()("json", "print JSON instead of text");
  po::variables_map values;
  int exit_code = kSuccess;
  if (!parse_arguments(arguments, options, {},
                       "Usage: paddock plugins [--json] [--plugin-path DIR]...", values,
                       exit_code)) {
    return exit_code;
  }
  core::PluginRegistry registry;
  std::vector<std::filesystem::path> explicit_directories;
  if (values.count("plugin-path")) {
    for (const auto& directory : values["plugin-path"].as<std::vector<std::string>>()) {
      explicit_directories.emplace_back(directory);
    }
  }
  registry.load_directories(core::plugin_search_path(explicit_directories, {}));
  if (values.count("json")) {
    std::cout << core::describe_plugins_json(registry).dump(2) << "\n";
  } else {
    std::cout << core::describe_plugins_text(registry);
  }
  return kSuccess;
}

}  // namespace paddock::host
