#include "zone/zone_arena.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory_resource>
#include <vector>

namespace hayate::zone {
namespace {

struct Block {
  unsigned char* p;
  std::size_t bytes;
  std::size_t alignment;
};

class ZoneArenaTest : public ::testing::TestWithParam<ZoneArena::Mode> {};

// Many small blocks of mixed sizes and alignments over many chunks: each aligned, and none
// overlapping another (each keeps the pattern written into it).
TEST_P(ZoneArenaTest, BlocksAreAlignedAndDistinct) {
  ZoneArena arena(GetParam());
  std::vector<Block> blocks;
  for (std::size_t i = 0; i < 50000; ++i) {
    const std::size_t bytes = 1 + i * 7 % 300;
    const std::size_t alignment = std::size_t{1} << (i % 5);  // 1 .. 16
    auto* p = static_cast<unsigned char*>(arena.allocate(bytes, alignment));
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % alignment, 0u) << i;
    std::memset(p, static_cast<int>(i & 0xff), bytes);
    blocks.push_back({p, bytes, alignment});
  }
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    for (std::size_t k = 0; k < blocks[i].bytes; ++k)
      ASSERT_EQ(blocks[i].p[k], i & 0xff) << i;
  }
  for (const Block& b : blocks)
    arena.deallocate(b.p, b.bytes, b.alignment);
}

TEST_P(ZoneArenaTest, LargeAlignmentIsHonoured) {
  ZoneArena arena(GetParam());
  void* p = arena.allocate(100, 256);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(p) % 256, 0u);
  arena.deallocate(p, 100, 256);
}

// A pmr container that grows far (reallocating, and past kLargeBlock) keeps its contents.
TEST_P(ZoneArenaTest, ServesAGrowingContainer) {
  ZoneArena arena(GetParam());
  std::pmr::vector<std::uint32_t> numbers(&arena);
  for (std::uint32_t i = 0; i < 300000; ++i)
    numbers.push_back(i * 2654435761u);
  for (std::uint32_t i = 0; i < 300000; ++i)
    ASSERT_EQ(numbers[i], i * 2654435761u);
}

INSTANTIATE_TEST_SUITE_P(Modes, ZoneArenaTest,
                         ::testing::Values(ZoneArena::Mode::kChunks,
                                           ZoneArena::Mode::kPassThrough));

TEST(ZoneArenaChunks, TheNewestBlockIsTakenBack) {
  ZoneArena arena(ZoneArena::Mode::kChunks);
  void* first = arena.allocate(40, 8);
  arena.deallocate(first, 40, 8);
  EXPECT_EQ(arena.allocate(80, 8), first);
  void* older = arena.allocate(24, 8);
  void* newer = arena.allocate(24, 8);
  arena.deallocate(older, 24, 8);  // not the newest: stays used
  EXPECT_NE(arena.allocate(24, 8), older);
  EXPECT_NE(newer, older);
}

// Small blocks share chunks that double in size: what is held stays within twice what is used
// (plus the first chunk), so a small zone stays small and a big one needs few chunks.
TEST(ZoneArenaChunks, ChunksGrowWithUse) {
  ZoneArena arena(ZoneArena::Mode::kChunks);
  EXPECT_EQ(arena.bytes_held(), 0u);
  static_cast<void>(arena.allocate(16, 8));
  EXPECT_LE(arena.bytes_held(), 4096u);
  std::size_t used = 16;
  while (used < (std::size_t{8} << 20)) {
    static_cast<void>(arena.allocate(64, 8));
    used += 64;
  }
  EXPECT_GE(arena.bytes_held(), used);
  EXPECT_LE(arena.bytes_held(), 2 * used + 4096);
}

// A large block (the node table's bucket array) has memory of its own, returned when freed: a
// rehash does not leave the old array behind for the zone's lifetime.
TEST(ZoneArenaChunks, LargeBlocksAreGivenBack) {
  ZoneArena arena(ZoneArena::Mode::kChunks);
  const std::size_t big = ZoneArena::kLargeBlock * 40;  // in huge pages
  void* a = arena.allocate(ZoneArena::kLargeBlock, 8);
  void* b = arena.allocate(big, 8);
  EXPECT_EQ(arena.bytes_held(), ZoneArena::kLargeBlock + big);
  std::memset(b, 1, big);
  arena.deallocate(b, big, 8);
  EXPECT_EQ(arena.bytes_held(), ZoneArena::kLargeBlock);
  arena.deallocate(a, ZoneArena::kLargeBlock, 8);
  EXPECT_EQ(arena.bytes_held(), 0u);
}

// Many large blocks (a zone of big RRsets), freed in another order than taken.
TEST(ZoneArenaChunks, ManyLargeBlocksAreGivenBackInAnyOrder) {
  ZoneArena arena(ZoneArena::Mode::kChunks);
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i)
    blocks.push_back(arena.allocate(ZoneArena::kLargeBlock, 8));
  EXPECT_EQ(arena.bytes_held(), 1000 * ZoneArena::kLargeBlock);
  for (int i = 0; i < 1000; ++i) {
    const int k = i * 7 % 1000;  // 7 and 1000 are coprime: every block once
    arena.deallocate(blocks[static_cast<std::size_t>(k)], ZoneArena::kLargeBlock, 8);
  }
  EXPECT_EQ(arena.bytes_held(), 0u);
}

TEST(ZoneArenaPassThrough, HoldsNothingItself) {
  ZoneArena arena(ZoneArena::Mode::kPassThrough);
  void* p = arena.allocate(1000, 8);
  EXPECT_EQ(arena.bytes_held(), 0u);
  arena.deallocate(p, 1000, 8);
}

}  // namespace
}  // namespace hayate::zone
