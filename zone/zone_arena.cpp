#include "zone/zone_arena.hpp"

#include <algorithm>
#include <cstdint>
#include <new>

#include "zone/huge_pages.hpp"

namespace hayate::zone {
namespace {

// Chunks double from 4 KB (a small zone of a big server's thousands stays small) to 32 MB (a big
// zone needs a dozen of them; the unused end of the last one is never touched, so never resident).
constexpr std::size_t kMaxChunk = std::size_t{32} << 20;

char* align_up(char* p, std::size_t alignment) {
  const auto address = reinterpret_cast<std::uintptr_t>(p);
  return reinterpret_cast<char*>((address + alignment - 1) & ~(alignment - 1));
}

}  // namespace

ZoneArena::~ZoneArena() {
  for (const Memory& m : chunks_)
    give_back(m);
  for (const auto& [base, size] : large_)
    give_back({base, size});
}

std::size_t ZoneArena::bytes_held() const {
  std::size_t total = 0;
  for (const Memory& m : chunks_)
    total += m.size;
  for (const auto& [base, size] : large_)
    total += size;
  return total;
}

ZoneArena::Memory ZoneArena::take(std::size_t bytes) {
  if (bytes >= kHugePageSize) {
    void* memory = map_anonymous(bytes);
    if (memory == nullptr) throw std::bad_alloc();
    return {memory, bytes};
  }
  return {::operator new(bytes), bytes};
}

void ZoneArena::give_back(const Memory& memory) {
  if (memory.size >= kHugePageSize) {
    unmap_anonymous(memory.base, memory.size);
  } else {
    ::operator delete(memory.base);
  }
}

void ZoneArena::add_chunk(std::size_t at_least) {
  std::size_t size = next_chunk_size_;
  while (size < at_least)
    size *= 2;
  chunks_.reserve(chunks_.size() + 1);  // so that push_back cannot throw after take()
  const Memory chunk = take(size);
  chunks_.push_back(chunk);
  next_ = static_cast<char*>(chunk.base);
  end_ = next_ + size;
  next_chunk_size_ = std::min(size * 2, kMaxChunk);
}

void* ZoneArena::do_allocate(std::size_t bytes, std::size_t alignment) {
  // Blocks from operator new and mmap are aligned to 16 octets at least: a larger alignment (no
  // zone type has one) goes to operator new with its alignment.
  if (mode_ == Mode::kPassThrough || alignment > alignof(std::max_align_t)) {
    return ::operator new(bytes, std::align_val_t(alignment));
  }
  if (bytes >= kLargeBlock) {
    const Memory block = take(bytes);
    try {
      large_.emplace(block.base, block.size);
    } catch (...) {
      give_back(block);
      throw;
    }
    return block.base;
  }
  char* start = next_ == nullptr ? nullptr : align_up(next_, alignment);
  if (start == nullptr || bytes > static_cast<std::size_t>(end_ - start)) {
    add_chunk(bytes);
    start = next_;  // a chunk's start is aligned to 16 octets at least
  }
  next_ = start + bytes;
  return start;
}

void ZoneArena::do_deallocate(void* block, std::size_t bytes, std::size_t alignment) {
  if (mode_ == Mode::kPassThrough || alignment > alignof(std::max_align_t)) {
    ::operator delete(block, std::align_val_t(alignment));
    return;
  }
  if (bytes >= kLargeBlock) {
    if (auto it = large_.find(block); it != large_.end()) {
      give_back({it->first, it->second});
      large_.erase(it);
    }
    return;
  }
  // The newest block can be taken back: a vector's first array when it grows at once.
  if (static_cast<char*>(block) + bytes == next_) next_ = static_cast<char*>(block);
}

}  // namespace hayate::zone
