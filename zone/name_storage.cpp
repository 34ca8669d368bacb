#include "zone/name_storage.hpp"

namespace hayate::zone {

void NameStorage::assign(std::string_view octets) {
  size_ = static_cast<std::uint8_t>(octets.size());
  on_heap_ = octets.size() > kInline;
  char* out = octets_;
  if (on_heap_) {
    out = new char[octets.size()];
    std::memcpy(octets_, &out, sizeof out);
  }
  if (!octets.empty()) std::memcpy(out, octets.data(), octets.size());
}

void NameStorage::take(NameStorage& other) noexcept {
  size_ = other.size_;
  on_heap_ = other.on_heap_;
  // The pointer or the octets themselves; either way the first bytes of octets_.
  std::memcpy(octets_, other.octets_, on_heap_ ? sizeof(char*) : size_);
  other.on_heap_ = false;
  other.size_ = 0;
}

void NameStorage::release() noexcept {
  if (on_heap_) delete[] heap();
  on_heap_ = false;
  size_ = 0;
}

}  // namespace hayate::zone
