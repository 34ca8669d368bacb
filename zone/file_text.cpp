#include "zone/file_text.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "zone/huge_pages.hpp"

namespace hayate::zone {
namespace {

// One madvise() per record would cost more than it saves.
constexpr std::size_t kReleaseStep = std::size_t{4} << 20;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<FileText> FileText::read(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return make_error(std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return make_error(std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error("not a regular file");
  auto capacity = static_cast<std::size_t>(st.st_size);
  if (capacity == 0) return FileText(nullptr, 0);
  void* memory = map_anonymous(capacity);
  if (memory == nullptr) return make_error(std::strerror(errno));
  FileText out(static_cast<char*>(memory), capacity);
  // The size seen by fstat() is read; a file that shrinks meanwhile gives what it still has.
  while (out.size_ < capacity) {
    ssize_t got = ::read(fd.get(), out.data_ + out.size_, capacity - out.size_);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return make_error(std::strerror(errno));
    if (got == 0) break;
    out.size_ += static_cast<std::size_t>(got);
  }
  return out;
}

FileText::FileText(FileText&& other) noexcept
    : data_(other.data_),
      capacity_(other.capacity_),
      size_(other.size_),
      released_(other.released_) {
  other.data_ = nullptr;
  other.capacity_ = other.size_ = 0;
}

FileText::~FileText() {
  unmap_anonymous(data_, capacity_);
}

void FileText::release_before(std::size_t offset) {
  if (data_ == nullptr || offset < released_ + kReleaseStep) return;
  // The mapping of a big file starts on a huge page (huge_pages.hpp), so [released_, end) is
  // whole huge pages and none is split; MADV_DONTNEED frees them (anonymous memory: they would
  // read back as zeros).
  std::size_t end = offset / kHugePageSize * kHugePageSize;
  ::madvise(data_ + released_, end - released_, MADV_DONTNEED);
  released_ = end;
}

}  // namespace hayate::zone
