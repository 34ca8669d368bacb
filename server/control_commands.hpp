// What the control socket can ask of the daemon. The daemon implements it; tests use a fake.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hayate::server {

struct ControlReply {
  bool ok = true;
  std::vector<std::string> lines;  // without newlines
};

class ControlCommands {
 public:
  virtual ~ControlCommands() = default;
  // One command line ("reload", "status", "stats"), without the newline. Runs on the control
  // thread; may take a while (a reload loads every zone).
  virtual ControlReply execute(std::string_view command) = 0;
};

}  // namespace hayate::server
