// The octets of one wire-form name, kept inline when short.
//
// Most names in a zone are under 31 octets ("host123456.example." is 20), so a zone of a million
// names would otherwise spend a heap block (and a malloc at load) on each one; std::string keeps
// only 15 octets inline. Same size as std::string: 32 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace hayate::zone {

class NameStorage {
 public:
  NameStorage() = default;
  explicit NameStorage(std::string_view octets) { assign(octets); }
  NameStorage(const NameStorage& other) { assign(other.view()); }
  NameStorage(NameStorage&& other) noexcept { take(other); }
  NameStorage& operator=(const NameStorage& other) {
    if (this != &other) {
      release();
      assign(other.view());
    }
    return *this;
  }
  NameStorage& operator=(NameStorage&& other) noexcept {
    if (this != &other) {
      release();
      take(other);
    }
    return *this;
  }
  ~NameStorage() { release(); }

  std::size_t size() const { return size_; }
  const char* data() const { return on_heap_ ? heap() : octets_; }
  char operator[](std::size_t i) const { return data()[i]; }
  std::string_view view() const { return {data(), size_}; }

 private:
  static constexpr std::size_t kInline = 30;

  void assign(std::string_view octets);  // octets.size() <= 255; storage must be empty
  void take(NameStorage& other) noexcept;
  void release() noexcept;

  // The heap pointer, when there is one, is kept in octets_ (copied in and out: no alignment
  // padding, so the whole object stays at 32 bytes).
  char* heap() const {
    char* p;
    std::memcpy(&p, octets_, sizeof p);
    return p;
  }

  char octets_[kInline];
  std::uint8_t size_ = 0;  // a wire name has at most 255 octets (RFC 1035 §2.3.4)
  bool on_heap_ = false;
};

static_assert(sizeof(NameStorage) == 32);

}  // namespace hayate::zone
