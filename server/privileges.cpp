#include "server/privileges.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace hayate::server {
namespace {

std::string errno_text(const char* what) {
  return std::string(what) + ": " + std::strerror(errno);
}

}  // namespace

std::string drop_privileges(const std::string& user, const std::string& group) {
  if (user.empty() && group.empty()) return "";
  if (::geteuid() != 0) {
    spdlog::info("not started as root: user/group settings ignored");
    return "";
  }
  uid_t uid = ::getuid();
  gid_t gid = ::getgid();
  if (!user.empty()) {
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) return "user '" + user + "' does not exist";
    uid = pw->pw_uid;
    gid = pw->pw_gid;
  }
  if (!group.empty()) {
    const struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) return "group '" + group + "' does not exist";
    gid = gr->gr_gid;
  }
  // Supplementary groups first: root's would otherwise stay with the process.
  if (::setgroups(1, &gid) != 0) return errno_text("setgroups");
  if (::setgid(gid) != 0) return errno_text("setgid");
  if (!user.empty() && ::setuid(uid) != 0) return errno_text("setuid");
  if (!user.empty() && uid != 0 && ::setuid(0) == 0) return "could regain root after setuid";
  spdlog::info("running as uid {} gid {}", ::getuid(), ::getgid());
  return "";
}

}  // namespace hayate::server
