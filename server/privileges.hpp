// Giving up root after the sockets are bound.
#pragma once

#include <string>

namespace hayate::server {

// When running as root and `user` is set: switches groups, group and user (setgroups, setgid,
// setuid, in that order: the group calls need root) and checks that root cannot be regained.
// `group` empty means the user's primary group. Returns "" on success (or when there is nothing
// to do), else what went wrong; the caller must not go on as root then.
std::string drop_privileges(const std::string& user, const std::string& group);

}  // namespace hayate::server
