#include "zone/huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace hayate::zone {

void* map_anonymous(std::size_t bytes) {
  if (bytes < kHugePageSize) {
    void* memory =
        ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return memory == MAP_FAILED ? nullptr : memory;
  }
  // mmap() gives 4 KB alignment only: map a huge page more and cut the ends off, so that every
  // 2 MB of the buffer can be one huge page.
  const std::size_t padded = bytes + kHugePageSize;
  void* raw = ::mmap(nullptr, padded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = (start + kHugePageSize - 1) & ~(kHugePageSize - 1);
  if (aligned > start) ::munmap(raw, aligned - start);
  const std::uintptr_t end = start + padded;
  const std::uintptr_t used_end = aligned + ((bytes + 4095) & ~std::size_t{4095});
  if (end > used_end) ::munmap(reinterpret_cast<void*>(used_end), end - used_end);
  auto* memory = reinterpret_cast<void*>(aligned);
  // Advice only: EINVAL on a kernel without THP leaves ordinary pages, which work as well.
  ::madvise(memory, bytes, MADV_HUGEPAGE);
  return memory;
}

void unmap_anonymous(void* memory, std::size_t bytes) {
  if (memory != nullptr) ::munmap(memory, bytes);
}

}  // namespace hayate::zone
