#include "server/net/asio_guest.hpp"

#include <boost/asio/detail/epoll_reactor.hpp>
#include <boost/asio/detail/scheduler.hpp>

namespace hayate::server::net {

namespace asio = boost::asio;

namespace {

// Named access to private members: an explicit instantiation may name them (C++20
// [temp.spec.general]/6), and the friend function carries the pointer out.
template <typename Tag, typename Tag::type Member>
struct PrivateMember {
  friend typename Tag::type member(Tag) { return Member; }
};

struct EpollFd {
  using type = int asio::detail::epoll_reactor::*;
  friend type member(EpollFd);
};
template struct PrivateMember<EpollFd, &asio::detail::epoll_reactor::epoll_fd_>;

struct SchedulerMutex {
  using type = asio::detail::conditionally_enabled_mutex asio::detail::scheduler::*;
  friend type member(SchedulerMutex);
};
template struct PrivateMember<SchedulerMutex, &asio::detail::scheduler::mutex_>;

struct TaskInterrupted {
  using type = bool asio::detail::scheduler::*;
  friend type member(TaskInterrupted);
};
template struct PrivateMember<TaskInterrupted, &asio::detail::scheduler::task_interrupted_>;

struct OpQueue {
  using type = asio::detail::op_queue<asio::detail::scheduler_operation> asio::detail::scheduler::*;
  friend type member(OpQueue);
};
template struct PrivateMember<OpQueue, &asio::detail::scheduler::op_queue_>;

}  // namespace

AsioGuest::AsioGuest(asio::io_context& context) : context_(context) {
  auto& reactor = asio::use_service<asio::detail::epoll_reactor>(context);
  reactor.init_task();  // the scheduler's task: what interrupt() wakes
  epoll_fd_ = reactor.*member(EpollFd{});
}

bool AsioGuest::run_ready() {
  do {
    context_.poll();
    if (context_.stopped()) return false;
  } while (!rearm());
  return true;
}

bool AsioGuest::rearm() {
  auto& scheduler = asio::use_service<asio::detail::scheduler>(context_);
  asio::detail::conditionally_enabled_mutex::scoped_lock lock(scheduler.*member(SchedulerMutex{}));
  // After poll() the queue holds the reactor's task alone; anything beside it was posted after
  // poll() looked, when nothing would interrupt: run it first.
  auto* front = (scheduler.*member(OpQueue{})).front();
  if (front != nullptr && asio::detail::op_queue_access::next(front) != nullptr) return false;
  // As do_run_one() sets it before blocking in the reactor with nothing else queued. Posts then
  // call the reactor's interrupt(): an epoll_ctl that makes descriptor() readable.
  scheduler.*member(TaskInterrupted{}) = false;
  return true;
}

}  // namespace hayate::server::net
