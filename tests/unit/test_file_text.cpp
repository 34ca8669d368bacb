#include "zone/file_text.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace hayate::zone {
namespace {

class FileTextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("hayate-file-text-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  std::filesystem::path dir_;
};

// Resident pages of this process (the second field of /proc/self/statm).
long resident_pages() {
  long size = 0;
  long resident = 0;
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &size, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident;
}

TEST_F(FileTextTest, ReadsTheWholeFile) {
  std::string content = "@ SOA ns1 hostmaster 1 2 3 4 5\n";
  content += std::string(10000, 'x') + '\0' + "after a NUL";
  auto file = FileText::read(write("zone", content));
  ASSERT_TRUE(file) << file.error();
  EXPECT_EQ(file->text(), content);
}

TEST_F(FileTextTest, EmptyFileGivesEmptyText) {
  auto file = FileText::read(write("empty", ""));
  ASSERT_TRUE(file) << file.error();
  EXPECT_TRUE(file->text().empty());
  file->release_before(0);  // nothing to release, and no crash
}

TEST_F(FileTextTest, ErrorsNameTheReason) {
  auto missing = FileText::read((dir_ / "missing").string());
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error(), "No such file or directory");
  auto directory = FileText::read(dir_.string());
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error(), "not a regular file");
}

// The pages before the offset leave memory; the text after it is untouched.
TEST_F(FileTextTest, ReleaseFreesThePassedPagesAndKeepsTheRest) {
  constexpr std::size_t kSize = 24u << 20;
  std::string content(kSize, 'a');
  for (std::size_t i = 0; i < kSize; i += 4093)
    content[i] = static_cast<char>('0' + i % 10);
  auto file = FileText::read(write("big", content));
  ASSERT_TRUE(file) << file.error();
  content.clear();
  content.shrink_to_fit();
  const long before = resident_pages();
  const std::size_t offset = 20u << 20;
  file->release_before(offset);
  const long after = resident_pages();
  const long page = ::sysconf(_SC_PAGESIZE);
  EXPECT_GE(before - after, static_cast<long>((16u << 20) / page)) << before << " " << after;
  for (std::size_t i = offset; i < kSize; ++i) {
    char expected = i % 4093 == 0 ? static_cast<char>('0' + i % 10) : 'a';
    ASSERT_EQ(file->text()[i], expected) << i;
  }
}

}  // namespace
}  // namespace hayate::zone
