// Runs a program to completion and captures its exit status, stdout and stderr (for CLI tests).
#pragma once

#include <string>
#include <vector>

namespace hayate::test {

struct ProcessResult {
  int exit_code = -1;  // -1 when the program did not exit normally
  std::string out;
  std::string err;
};

ProcessResult run_process(const std::vector<std::string>& argv);

}  // namespace hayate::test
