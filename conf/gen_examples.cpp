// hayate-gen-config-examples DIR: writes DIR/<name>.toml for every example file in the option
// table. `ninja update-config-examples` runs it on conf/examples/ in the source tree.
#include <cstdio>
#include <fstream>
#include <iostream>

#include "conf/options.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hayate-gen-config-examples DIR\n"
                 "Writes DIR/<name>.toml for each example configuration, from the option table.\n";
    return 2;
  }
  for (const auto& file : hayate::conf::example_files()) {
    std::string path = std::string(argv[1]) + "/" + std::string(file.name) + ".toml";
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << hayate::conf::render_example_file(file);
    if (!out.flush()) {
      std::perror(path.c_str());
      return 1;
    }
    std::cout << "wrote " << path << "\n";
  }
  return 0;
}
