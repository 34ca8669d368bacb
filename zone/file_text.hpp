// A zone file's text, read whole into memory that can be handed back as the reader passes it.
//
// The reader makes one pass from start to end and releases the pages behind it (release_before),
// so a large zone file never sits in memory whole next to the zone built from it: for a 1M-name
// zone that is ~40 MB less at the peak, which comes as the last records are read. The text is read
// with read(), not mapped, so a file truncated meanwhile cannot fault (SIGBUS) the daemon; into
// huge pages (huge_pages.hpp): 19 page faults for a 38 MB file instead of 9,300.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "zone/result.hpp"

namespace hayate::zone {

class FileText {
 public:
  // Errors: the strerror() text, or "not a regular file" (BIND: "not a file").
  static Result<FileText> read(const std::string& path);

  FileText(FileText&& other) noexcept;
  FileText& operator=(FileText&&) = delete;
  FileText(const FileText&) = delete;
  ~FileText();

  std::string_view text() const { return {data_, size_}; }

  // Frees the whole pages before `offset`; the caller must not look at that text again (it reads
  // as NUL octets afterwards).
  void release_before(std::size_t offset);

 private:
  FileText(char* data, std::size_t capacity) : data_(data), capacity_(capacity) {}

  char* data_ = nullptr;  // map_anonymous(capacity_); null for an empty file
  std::size_t capacity_ = 0;
  std::size_t size_ = 0;
  std::size_t released_ = 0;  // octets already handed back, a multiple of the page size
};

}  // namespace hayate::zone
