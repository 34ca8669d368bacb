// BIND's own checkzone test zones (../shared/corpus/bind-checkzone, read in place, never copied):
// hayate-checkzone must reach BIND 9.18's verdict on every file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/run_process.hpp"

namespace hayate::test {
namespace {

struct CorpusEntry {
  std::string file;
  bool expect_ok;
  std::string bind_said;
};

std::vector<CorpusEntry> read_manifest(const std::filesystem::path& dir) {
  std::vector<CorpusEntry> entries;
  std::ifstream in(dir / "MANIFEST.tsv");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::stringstream fields(line);
    CorpusEntry entry;
    std::string verdict;
    std::getline(fields, entry.file, '\t');
    std::getline(fields, verdict, '\t');
    std::getline(fields, entry.bind_said);
    entry.expect_ok = verdict == "ok";
    entries.push_back(entry);
  }
  return entries;
}

TEST(BindCheckzoneCorpus, SameVerdictAsBindOnEveryFile) {
  const std::filesystem::path dir = HAYATE_BIND_CORPUS;
  if (!std::filesystem::exists(dir / "MANIFEST.tsv")) {
    GTEST_SKIP() << "BIND corpus not found at " << dir
                 << " (it lives in ../shared beside the repo)";
  }
  auto entries = read_manifest(dir);
  ASSERT_GE(entries.size(), 100u) << "manifest looks truncated";

  std::string disagreements;
  int agreed = 0;
  for (const auto& entry : entries) {
    auto result = run_process({HAYATE_CHECKZONE, "-o", "example", (dir / entry.file).string()});
    bool ok = result.exit_code == 0;
    if (result.exit_code != 0 && result.exit_code != 1) {
      disagreements += entry.file + ": exit " + std::to_string(result.exit_code) + "\n";
    } else if (ok != entry.expect_ok) {
      std::string first_line = result.err.substr(0, result.err.find('\n'));
      disagreements += entry.file + ": BIND says " + (entry.expect_ok ? "ok" : "fail") + " (" +
                       entry.bind_said + "), hayate says " + (ok ? "ok" : "fail") + " (" +
                       first_line + ")\n";
    } else {
      ++agreed;
    }
  }
  std::cout << agreed << " of " << entries.size() << " corpus files agree with BIND\n";
  EXPECT_EQ(disagreements, "") << "disagreements with BIND:\n" << disagreements;
}

}  // namespace
}  // namespace hayate::test
