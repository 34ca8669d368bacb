// The memory of one zone: its node table, nodes and RRsets, carved from a few big chunks.
//
// A zone is built once, then only read, then freed whole (a reload builds a new one), so it needs
// no general-purpose allocator; NSD's zone compiler uses a region allocator for the same reason.
// For a 1M-name zone that means (perf of the daemon's start-up: malloc was a fifth of it):
// - 3 million blocks cut from a chunk with a pointer bump, not malloc calls;
// - no malloc header and size-class rounding per block (16 octets on most of them);
// - chunks of 2 MB and more in huge pages (huge_pages.hpp): one page fault per 2 MB.
// Blocks freed while the zone is built are not reused (a vector that grows leaves its old array
// behind), except the most recent one, and large ones, which have memory of their own.
//
// Not thread-safe: a zone allocates only while one thread builds it. In AddressSanitizer builds
// every block is its own new/delete (kPassThrough), so overflows and leaks are still found.
#pragma once

#include <cstddef>
#include <memory_resource>
#include <unordered_map>
#include <vector>

// GCC says ASan with __SANITIZE_ADDRESS__, clang (the fuzz builds) with __has_feature.
#if defined(__SANITIZE_ADDRESS__)
#define HAYATE_ZONE_ARENA_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAYATE_ZONE_ARENA_ASAN 1
#endif
#endif

namespace hayate::zone {

class ZoneArena final : public std::pmr::memory_resource {
 public:
  enum class Mode { kChunks, kPassThrough };
#if defined(HAYATE_ZONE_ARENA_ASAN)
  static constexpr Mode kDefaultMode = Mode::kPassThrough;
#else
  static constexpr Mode kDefaultMode = Mode::kChunks;
#endif
  // A block this big or bigger gets memory of its own, given back when it is freed (the node
  // table's bucket array, outgrown by a rehash, is the usual one).
  static constexpr std::size_t kLargeBlock = std::size_t{64} << 10;

  explicit ZoneArena(Mode mode = kDefaultMode) : mode_(mode) {}
  ZoneArena(const ZoneArena&) = delete;
  ZoneArena& operator=(const ZoneArena&) = delete;
  ~ZoneArena() override;

  // Memory held now: chunks and large blocks (for tests and memory reports).
  std::size_t bytes_held() const;

 private:
  struct Memory {
    void* base = nullptr;
    std::size_t size = 0;
  };

  void* do_allocate(std::size_t bytes, std::size_t alignment) override;
  void do_deallocate(void* block, std::size_t bytes, std::size_t alignment) override;
  bool do_is_equal(const std::pmr::memory_resource& other) const noexcept override {
    return this == &other;
  }

  void add_chunk(std::size_t at_least);
  static Memory take(std::size_t bytes);  // huge pages from kHugePageSize up, else operator new
  static void give_back(const Memory& memory);

  Mode mode_;
  std::vector<Memory> chunks_;
  std::unordered_map<void*, std::size_t> large_;  // by address: a zone may hold thousands
  char* next_ = nullptr;  // the free part of the newest chunk: [next_, end_)
  char* end_ = nullptr;
  std::size_t next_chunk_size_ = std::size_t{4} << 10;  // doubles up to kMaxChunk
};

}  // namespace hayate::zone
