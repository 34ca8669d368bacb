// Anonymous memory for big buffers that a zone load fills at once (the zone file's text, the
// zone's arena), backed by transparent huge pages where the kernel offers them.
//
// Why: a 1M-name zone touches ~270 MB of fresh memory while it loads. In 4 KB pages that is
// ~70,000 page faults and as many TLB entries; perf showed the faults under malloc and read()
// and the misses after them as a third of the load (2-core VM, THP in "madvise" mode). One 2 MB
// page takes one fault. With THP off ("never") the advice is ignored and nothing else changes.
#pragma once

#include <cstddef>

namespace hayate::zone {

inline constexpr std::size_t kHugePageSize = std::size_t{2} << 20;  // x86-64 and arm64 (4 KB base)

// Maps `bytes` of zeroed, readable and writable memory; nullptr when the kernel refuses. Buffers
// of at least kHugePageSize start on a huge-page boundary and are advised MADV_HUGEPAGE.
void* map_anonymous(std::size_t bytes);

// Unmaps what map_anonymous(bytes) returned.
void unmap_anonymous(void* memory, std::size_t bytes);

}  // namespace hayate::zone
