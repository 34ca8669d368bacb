#include "zone/huge_pages.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace hayate::zone {
namespace {

// The VmFlags line of the mapping that contains `address`, from /proc/self/smaps.
std::string vm_flags_of(const void* address) {
  const auto target = reinterpret_cast<std::uintptr_t>(address);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t start = 0;
    std::uintptr_t end = 0;
    char dash = 0;
    std::istringstream header(line);
    if (header >> std::hex >> start >> dash >> end && dash == '-') {
      inside = target >= start && target < end;
    } else if (inside && line.starts_with("VmFlags:")) {
      return line;
    }
  }
  return "";
}

TEST(HugePagesTest, BigBuffersStartOnAHugePageAndAreAdvised) {
  const std::size_t bytes = 3 * kHugePageSize + 12345;
  void* memory = map_anonymous(bytes);
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(memory) % kHugePageSize, 0u);
  auto* octets = static_cast<unsigned char*>(memory);
  EXPECT_EQ(octets[0], 0);
  EXPECT_EQ(octets[bytes - 1], 0);
  std::memset(octets, 0xab, bytes);  // every octet is writable
  EXPECT_EQ(octets[bytes - 1], 0xab);
  // "hg": MADV_HUGEPAGE took (kept whatever THP's mode; only a kernel without THP lacks it).
  if (std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled")) {
    EXPECT_NE(vm_flags_of(memory).find(" hg"), std::string::npos) << vm_flags_of(memory);
  }
  unmap_anonymous(memory, bytes);
}

TEST(HugePagesTest, SmallBuffersAreOrdinaryPages) {
  void* memory = map_anonymous(100);
  ASSERT_NE(memory, nullptr);
  static_cast<char*>(memory)[99] = 'x';
  EXPECT_EQ(vm_flags_of(memory).find(" hg"), std::string::npos);
  unmap_anonymous(memory, 100);
}

TEST(HugePagesTest, ARefusedMappingIsNull) {
  EXPECT_EQ(map_anonymous(std::size_t{1} << 62), nullptr);
  unmap_anonymous(nullptr, 0);  // a no-op, like free(nullptr)
}

}  // namespace
}  // namespace hayate::zone
