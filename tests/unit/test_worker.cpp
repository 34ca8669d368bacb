// A whole worker, with UDP through io_uring and through epoll (the same tests for both paths):
// batches, drops, sizes, deferred answers, TCP beside UDP, and the asio work the io_uring loop
// runs as a guest (handlers posted from other threads and from its own, timers).
#include "server/net/worker.hpp"

#include <gtest/gtest.h>

#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/net/uring_udp_loop.hpp"
#include "tests/unit/udp_test_util.hpp"

namespace hayate::server::net {
namespace {

namespace asio = boost::asio;
using test::ClientSocket;
using test::DeferringHandler;
using test::EchoHandler;
using test::make_query;
using test::message_id;
using test::receive_ids;
using test::receive_with_source;
using test::send_to;
using test::SizedHandler;
using test::SourcedResponse;

constexpr auto kTimeout = std::chrono::seconds(5);

// Answers later through asio, from the worker's own thread: after a timer (query ID odd) or a
// plain post (even), as the resolver does when its upstream answers.
class AsioDeferringHandler final : public QueryHandler {
 public:
  using QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const ClientInfo&, EmitResponse,
              DeferResponse defer) override {
    std::vector<std::uint8_t> response(query.begin(), query.end());
    response[2] |= 0x80;
    auto sink = defer();
    if (message_id(query) % 2 == 1) {
      auto timer = std::make_shared<asio::steady_timer>(*context, std::chrono::milliseconds(20));
      timer->async_wait(
          [timer, sink, response](const boost::system::error_code&) { sink->send(response); });
    } else {
      asio::post(*context, [sink, response] { sink->send(response); });
    }
  }
  asio::io_context* context = nullptr;  // the worker's
};

// Records the prefetch hints and the queries handled (by ID), and holds the first query until
// released, so that the datagrams sent meanwhile wait in the socket and arrive as one batch.
class PrefetchRecordingHandler final : public QueryHandler {
 public:
  void prefetch(std::span<const std::uint8_t> query) override {
    hinted.push_back(message_id(query));  // the worker's thread only
  }
  using QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const ClientInfo&, EmitResponse emit,
              DeferResponse) override {
    if (handled.empty()) {
      first_arrived.set_value();
      release.get_future().wait();
    }
    handled.push_back(message_id(query));
    std::vector<std::uint8_t> response(query.begin(), query.end());
    response[2] |= 0x80;
    emit(response);
  }
  std::promise<void> first_arrived;
  std::promise<void> release;
  std::vector<std::uint16_t> hinted;
  std::vector<std::uint16_t> handled;
};

class WorkerTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam() && !UringUdpLoop::supported()) {
      GTEST_SKIP() << "io_uring multishot receive is not available on this kernel";
    }
  }
  Worker& make(QueryHandler& handler) {
    workers_.push_back(std::make_unique<Worker>(handler, limiter_, TcpOptions{}, GetParam()));
    EXPECT_EQ(workers_.back()->uses_io_uring(), GetParam());
    return *workers_.back();
  }
  std::uint16_t start(QueryHandler& handler, std::uint16_t port = 0) {
    Worker& worker = make(handler);
    port = worker.listen(asio::ip::make_address("127.0.0.1"), port);
    worker.start();
    return port;
  }
  void TearDown() override {
    for (auto& w : workers_)
      w->stop();
  }

  ConnectionLimiter limiter_{0, 0};
  std::vector<std::unique_ptr<Worker>> workers_;
};

TEST_P(WorkerTest, AnswersOverUdpAndTcpAndTellsTheListener) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket udp(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(udp, make_query(7), port);
  EXPECT_EQ(receive_ids(udp, 1), std::multiset<std::uint16_t>{7});
  EXPECT_EQ(handler.last_listener_port.load(), port);
  ClientSocket tcp(AF_INET, SOCK_STREAM, kTimeout);
  ASSERT_TRUE(tcp.connect_v4(port));
  const std::vector<std::uint8_t> framed{0, 12, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  ASSERT_TRUE(tcp.send_all(framed));
  const auto answer = tcp.read_frame();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(message_id(*answer), 9);
  EXPECT_EQ(handler.last_transport.load(), Transport::kTcp);
}

// More datagrams at once than the io_uring path has receive buffers (32): the multishot receive
// runs out (ENOBUFS) and is re-armed; nothing is lost from the socket's queue.
TEST_P(WorkerTest, AnswersEveryDatagramOfABurstLargerThanItsBuffers) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  const int receive_buffer = 4 << 20;
  setsockopt(client.fd(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
  std::multiset<std::uint16_t> sent;
  for (std::uint16_t id = 1; id <= 1500; ++id) {
    send_to(client, make_query(id), port);
    sent.insert(id);
  }
  EXPECT_EQ(receive_ids(client, sent.size()), sent);
  EXPECT_FALSE(workers_.back()->fell_back_to_epoll()) << "running out of buffers is no failure";
}

// io_uring: each datagram of a batch is announced to the handler (QueryHandler::prefetch) while
// the one before it is handled, and then handled itself. The epoll path gives no hints.
TEST_P(WorkerTest, HintsTheNextDatagramOfABatchBeforeHandlingIt) {
  PrefetchRecordingHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(client, make_query(1), port);
  handler.first_arrived.get_future().wait();
  std::multiset<std::uint16_t> sent{1};
  for (std::uint16_t id = 2; id <= 20; ++id) {
    send_to(client, make_query(id), port);
    sent.insert(id);
  }
  handler.release.set_value();
  EXPECT_EQ(receive_ids(client, sent.size()), sent);
  for (auto& w : workers_)
    w->stop();  // joins: the handler's vectors were the worker thread's until then
  if (!GetParam()) {
    EXPECT_TRUE(handler.hinted.empty());
    return;
  }
  // 2..20 waited in the socket while 1 was held: they come as one batch (fewer than the 32
  // receive buffers), and every one but the batch's first is hinted just before it is handled.
  ASSERT_FALSE(handler.hinted.empty());
  for (const std::uint16_t id : handler.hinted) {
    const auto at = std::find(handler.handled.begin(), handler.handled.end(), id);
    ASSERT_NE(at, handler.handled.end()) << id;
    ASSERT_NE(at, handler.handled.begin()) << id;
  }
  EXPECT_GE(handler.hinted.size(), 18u);
}

// Over IPv6 the answers go back to the client's address and port from the address and port it
// asked (io_uring: sendto with a 28-octet sockaddr_in6), a burst of them each answered.
TEST_P(WorkerTest, AnswersOverIpv6FromTheAddressAsked) {
  EchoHandler handler;
  Worker& worker = make(handler);
  std::uint16_t port = 0;
  try {
    port = worker.listen(asio::ip::make_address("::1"), 0);
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  worker.start();
  ClientSocket client(AF_INET6, SOCK_DGRAM, kTimeout);
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_addr = in6addr_loopback;
  to.sin6_port = htons(port);
  for (std::uint16_t id = 1; id <= 10; ++id) {
    const auto query = make_query(id);
    ASSERT_EQ(::sendto(client.fd(), query.data(), query.size(), 0,
                       reinterpret_cast<const sockaddr*>(&to), sizeof to),
              static_cast<ssize_t>(query.size()));
  }
  std::multiset<std::uint16_t> ids;
  for (int i = 0; i < 10; ++i) {
    std::uint8_t buffer[512];
    sockaddr_in6 from{};
    socklen_t from_length = sizeof from;
    const ssize_t n = ::recvfrom(client.fd(), buffer, sizeof buffer, 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_length);
    ASSERT_GE(n, 12) << "answer " << i;
    EXPECT_EQ(from_length, sizeof from);
    EXPECT_EQ(ntohs(from.sin6_port), port);
    EXPECT_TRUE(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
    ids.insert(message_id({buffer, static_cast<std::size_t>(n)}));
  }
  EXPECT_EQ(ids.size(), 10u);
  EXPECT_EQ(*ids.begin(), 1);
  EXPECT_EQ(*ids.rbegin(), 10);
}

TEST_P(WorkerTest, QueriesOneAtATimeAreEachAnswered) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  for (std::uint16_t id = 1; id <= 100; ++id) {
    send_to(client, make_query(id), port);
    ASSERT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{id});
  }
}

TEST_P(WorkerTest, DropsWhatItMustAndKeepsServing) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(client, make_query(0xff01), port);                             // the handler drops it
  send_to(client, make_query(2, UringUdpLoop::kQuerySize + 100), port);  // larger than a query
  send_to(client, std::span<const std::uint8_t>(), port);                // empty
  send_to(client, make_query(3), port);
  EXPECT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{3});
  EXPECT_EQ(handler.handled.load(), 3) << "the oversized datagram never reaches the handler";
}

// The largest UDP answer the processor makes (udp-payload-size 4096) goes out whole; a handler
// emitting more than a UDP response can be is a bug whose message is dropped, not cut.
TEST_P(WorkerTest, LargestUdpAnswerGoesOutWholeLargerIsDropped) {
  SizedHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket client(AF_INET, SOCK_DGRAM, std::chrono::milliseconds(500));
  static_assert(UringUdpLoop::kResponseSize == 0x1000 && UdpBatch::kResponseSize == 0x1000);
  send_to(client, std::vector<std::uint8_t>{0x02, 0x10, 0x01}, port);  // 4097 bytes
  send_to(client, std::vector<std::uint8_t>{0x01, 0x10, 0x00}, port);  // 4096 bytes
  std::vector<std::uint8_t> buffer(70000);
  ASSERT_EQ(::recv(client.fd(), buffer.data(), buffer.size(), 0), 4096);
  EXPECT_EQ(buffer[0], 0x01);
  EXPECT_EQ(buffer[4095], 0x5a);
  EXPECT_LT(::recv(client.fd(), buffer.data(), buffer.size(), 0), 0) << "nothing else comes";
}

// Answers from another thread (the test's), in any order, from the listening port.
TEST_P(WorkerTest, DeferredAnswersFromAnotherThreadReachTheRightClient) {
  DeferringHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket a(AF_INET, SOCK_DGRAM, kTimeout);
  ClientSocket b(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(a, make_query(1), port);
  send_to(b, make_query(2), port);
  ASSERT_TRUE(handler.wait_for(2));
  handler.answer(2);
  handler.answer(1);
  EXPECT_EQ(receive_with_source(b), (SourcedResponse{2, 12, port}));
  EXPECT_EQ(receive_ids(a, 1), std::multiset<std::uint16_t>{1});
}

TEST_P(WorkerTest, DeferredAnswerAfterStopIsDropped) {
  DeferringHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket a(AF_INET, SOCK_DGRAM, std::chrono::milliseconds(300));
  send_to(a, make_query(5), port);
  ASSERT_TRUE(handler.wait_for(1));
  workers_.back()->stop();  // closes the listener (the io_context stays: the sink's executor)
  handler.answer(5);
  EXPECT_TRUE(receive_ids(a, 1).empty());
}

// The resolver's way: work started on the worker's io_context while a UDP query is handled (a
// timer, a post) runs, and its answers go out.
TEST_P(WorkerTest, AsioWorkStartedByAQueryRuns) {
  AsioDeferringHandler handler;
  Worker& worker = make(handler);
  handler.context = &worker.context();
  const std::uint16_t port = worker.listen(asio::ip::make_address("127.0.0.1"), 0);
  worker.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  for (std::uint16_t id = 1; id <= 6; ++id) {
    send_to(client, make_query(id), port);
    ASSERT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{id});
  }
}

// What the daemon does on reload: a handler posted from another thread runs on the worker's.
TEST_P(WorkerTest, HandlersPostedFromAnotherThreadRunOnTheWorker) {
  EchoHandler handler;
  Worker& worker = make(handler);
  worker.listen(asio::ip::make_address("127.0.0.1"), 0);
  worker.start();
  for (int i = 0; i < 20; ++i) {
    std::promise<std::thread::id> ran;
    auto done = ran.get_future();
    asio::post(worker.context(), [&ran] { ran.set_value(std::this_thread::get_id()); });
    ASSERT_EQ(done.wait_for(kTimeout), std::future_status::ready) << "post " << i;
    EXPECT_NE(done.get(), std::this_thread::get_id());
  }
}

TEST_P(WorkerTest, TwoWorkersShareThePort) {
  EchoHandler first, second;
  const std::uint16_t port = start(first);
  start(second, port);
  std::vector<std::unique_ptr<ClientSocket>> clients;
  for (std::uint16_t id = 1; id <= 40; ++id) {
    clients.push_back(std::make_unique<ClientSocket>(AF_INET, SOCK_DGRAM, kTimeout));
    send_to(*clients.back(), make_query(id), port);
  }
  for (std::uint16_t id = 1; id <= 40; ++id)
    EXPECT_EQ(receive_ids(*clients[id - 1], 1), std::multiset<std::uint16_t>{id});
  EXPECT_EQ(first.handled.load() + second.handled.load(), 40);
}

// In a forked child: a network namespace of its own whose loopback is up, with `mtu` when not 0;
// false where that cannot be done (not root).
bool private_loopback(int mtu = 0) {
  if (::unshare(CLONE_NEWNET) != 0) return false;
  const int control = ::socket(AF_INET, SOCK_DGRAM, 0);
  ifreq loopback{};
  std::strncpy(loopback.ifr_name, "lo", IFNAMSIZ - 1);
  loopback.ifr_mtu = mtu;
  if (mtu != 0 && ::ioctl(control, SIOCSIFMTU, &loopback) != 0) return false;
  loopback.ifr_flags = IFF_UP;
  const bool up = ::ioctl(control, SIOCSIFFLAGS, &loopback) == 0;
  ::close(control);
  return up;
}

// A DNS answer of 2,000 octets of TXT to the query (header, question `big.` TXT, OPT), with the
// query's OPT: more than the 1,280-octet MTU the test below gives its loopback. Odd IDs are
// answered at once, even IDs later through the sink (the resolver's path, send_datagram); ID 3
// gets the query back with QR set, an answer that fits.
class OversizedAnswerHandler final : public QueryHandler {
 public:
  using QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const ClientInfo&, EmitResponse emit,
              DeferResponse defer) override {
    constexpr std::size_t kQuestionEnd = 12 + 5 + 4;
    if (message_id(query) == 3) {
      std::vector<std::uint8_t> echo(query.begin(), query.end());
      echo[2] |= 0x80;
      emit(echo);
      return;
    }
    std::vector<std::uint8_t> response(query.begin(), query.begin() + kQuestionEnd);
    response[2] |= 0x80;
    response[7] = 1;  // ANCOUNT
    const std::vector<std::uint8_t> rr = {0xc0, 12, 0, 16, 0,         1,
                                          0,    0,  1, 44, 2000 >> 8, 2000 & 0xff};
    response.insert(response.end(), rr.begin(), rr.end());
    for (int i = 0; i < 8; ++i) {
      response.push_back(249);
      response.insert(response.end(), 249, static_cast<std::uint8_t>('a' + i));
    }
    response.insert(response.end(), query.begin() + kQuestionEnd, query.end());  // OPT
    if (message_id(query) % 2 == 1) {
      emit(response);
    } else {
      auto sink = defer();
      std::thread([sink, response] { sink->send(response); }).detach();
    }
  }
};

// The query OversizedAnswerHandler answers: `big.` TXT IN with an OPT (4096 octets, no options).
std::vector<std::uint8_t> big_txt_query(std::uint16_t id) {
  return {static_cast<std::uint8_t>(id >> 8),
          static_cast<std::uint8_t>(id),
          0x01,
          0,
          0,
          1,
          0,
          0,
          0,
          0,
          0,
          1,
          3,
          'b',
          'i',
          'g',
          0,
          0,
          16,
          0,
          1,
          0,
          0,
          41,
          0x10,
          0,
          0,
          0,
          0,
          0,
          0,
          0};
}

// Answers never leave as IPv4 fragments (IP_PMTUDISC_PROBE on the listeners): one larger than the
// interface MTU goes as header + question + OPT with TC=1, so the client asks again over TCP
// (RFC 7766 §5), whether sent at once or later through the sink; and every answer, small ones
// too, carries DF with IP ID 0 (RFC 6864 §4.1), read from a raw socket. In a network namespace of
// its own whose loopback has a 1,280-octet MTU.
TEST_P(WorkerTest, AnswerLargerThanTheMtuGoesTruncatedNeverFragmented) {
  const bool io_uring = GetParam();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!private_loopback(1280)) ::_exit(77);
    const int raw = ::socket(AF_INET, SOCK_RAW, IPPROTO_UDP);
    if (raw < 0) ::_exit(3);
    OversizedAnswerHandler handler;
    ConnectionLimiter limiter{0, 0};
    Worker worker(handler, limiter, TcpOptions{}, io_uring);
    const std::uint16_t port = worker.listen(asio::ip::make_address("127.0.0.1"), 0);
    worker.start();
    int result = 0;
    {
      ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
      for (std::uint16_t id = 1; id <= 2 && result == 0; ++id) {
        send_to(client, big_txt_query(id), port);
        std::uint8_t buffer[4096];
        const ssize_t n = ::recv(client.fd(), buffer, sizeof buffer, 0);
        if (n != 12 + 9 + 11)
          result = 10 + id;  // header, question, OPT
        else if (message_id({buffer, 12}) != id || (buffer[2] & 0x02) == 0)
          result = 20 + id;
        else if (buffer[7] != 0 || buffer[11] != 1 || buffer[21 + 2] != 41)
          result = 30 + id;
      }
      send_to(client, big_txt_query(3), port);
      if (result == 0 && receive_ids(client, 1) != std::multiset<std::uint16_t>{3}) result = 33;
      // The raw socket saw the queries and the answers; the answers come from the port.
      std::uint8_t packet[4096];
      int answers = 0;
      timeval quick{0, 100000};
      ::setsockopt(raw, SOL_SOCKET, SO_RCVTIMEO, &quick, sizeof quick);
      ssize_t n;
      while (result == 0 && (n = ::recv(raw, packet, sizeof packet, 0)) >= 28) {
        const std::size_t header = (packet[0] & 0x0f) * 4u;
        if (((packet[header] << 8) | packet[header + 1]) != port) continue;
        ++answers;
        const unsigned fragment = (packet[6] << 8) | packet[7];
        const unsigned ip_id = (packet[4] << 8) | packet[5];
        if (fragment != 0x4000 || ip_id != 0) result = 40;  // DF, offset 0, no MF; ID 0
      }
      if (result == 0 && answers != 3) result = 41;
    }
    worker.stop();
    ::_exit(result);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no network namespace here (needs root)";
  EXPECT_EQ(WEXITSTATUS(status), 0)
      << "3: raw socket, 1x: answer size, 2x: ID or TC, 3x: counts or OPT, 33: small one, "
         "40: not DF with ID 0, 41: answers seen";
}

// Port 0 asks for any port free for both UDP and TCP: the ephemeral port UDP draws may be held
// by a TCP socket (a client's source port), and the worker then draws again. In a network
// namespace of its own, with a two-port ephemeral range whose first port TCP holds.
TEST(WorkerListenTest, AnyPortIsOneFreeForBothUdpAndTcp) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (!private_loopback()) ::_exit(77);
    std::ofstream("/proc/sys/net/ipv4/ip_local_port_range") << "40000 40001\n";
    ClientSocket holder(AF_INET, SOCK_STREAM, kTimeout);
    sockaddr_in taken{};
    taken.sin_family = AF_INET;
    taken.sin_port = htons(40000);
    taken.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(holder.fd(), reinterpret_cast<sockaddr*>(&taken), sizeof taken) != 0) ::_exit(3);
    EchoHandler handler;
    ConnectionLimiter limiter{0, 0};
    Worker worker(handler, limiter, TcpOptions{}, false);
    try {
      ::_exit(worker.listen(asio::ip::make_address("127.0.0.1"), 0) == 40001 ? 0 : 4);
    } catch (const std::exception&) {
      ::_exit(5);
    }
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no network namespace here (needs root)";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "3: TCP holder, 4: another port, 5: listen threw";
}

// The ring failing after the probe said yes: at set-up (say a locked-memory limit), or by a
// receive error that repeats (UringUdpLoop::kMaxReceiveErrors). The worker serves the same
// sockets through epoll, and queries already queued on them are answered.
class UringFallbackTest
    : public ::testing::TestWithParam<std::atomic<bool> UringUdpLoop::Faults::*> {
 protected:
  void SetUp() override {
    if (!UringUdpLoop::supported()) GTEST_SKIP() << "io_uring is not available on this kernel";
    UringUdpLoop::faults().*GetParam() = true;
  }
  void TearDown() override {
    if (worker_) worker_->stop();
    UringUdpLoop::faults().*GetParam() = false;
  }
  ConnectionLimiter limiter_{0, 0};  // outlives the worker's connections
  std::unique_ptr<Worker> worker_;
};

TEST_P(UringFallbackTest, UdpGoesOverToEpollOnTheSameSockets) {
  EchoHandler handler;
  worker_ = std::make_unique<Worker>(handler, limiter_, TcpOptions{}, true);
  ASSERT_TRUE(worker_->uses_io_uring());
  const std::uint16_t port = worker_->listen(asio::ip::make_address("127.0.0.1"), 0);
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(client, make_query(1), port);  // queued before the worker runs
  worker_->start();
  EXPECT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{1});
  EXPECT_TRUE(worker_->fell_back_to_epoll());
  for (std::uint16_t id = 2; id <= 20; ++id)
    send_to(client, make_query(id), port);
  EXPECT_EQ(receive_ids(client, 19).size(), 19u);
  ClientSocket tcp(AF_INET, SOCK_STREAM, kTimeout);
  ASSERT_TRUE(tcp.connect_v4(port));
  ASSERT_TRUE(tcp.send_all(std::vector<std::uint8_t>{0, 12, 0, 9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  const auto answer = tcp.read_frame();
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(message_id(*answer), 9);
}

// On a kernel that takes no destination address with IORING_OP_SEND, answers go as sendmsg on
// the same ring (UringUdpLoop's probe decides; the fault stands in for such a kernel).
TEST(UringSendmsgTest, AnswersAsSendmsgWhereSendtoIsRefused) {
  if (!UringUdpLoop::supported()) GTEST_SKIP() << "io_uring is not available on this kernel";
  UringUdpLoop::faults().sendmsg_only = true;
  EchoHandler handler;
  ConnectionLimiter limiter{0, 0};
  Worker worker(handler, limiter, TcpOptions{}, true);
  const std::uint16_t port = worker.listen(asio::ip::make_address("127.0.0.1"), 0);
  worker.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  for (std::uint16_t id = 1; id <= 20; ++id)
    send_to(client, make_query(id), port);
  EXPECT_EQ(receive_ids(client, 20).size(), 20u);
  EXPECT_FALSE(worker.fell_back_to_epoll());
  worker.stop();
  UringUdpLoop::faults().sendmsg_only = false;
}

INSTANTIATE_TEST_SUITE_P(Faults, UringFallbackTest,
                         ::testing::Values(&UringUdpLoop::Faults::fail_setup,
                                           &UringUdpLoop::Faults::refuse_receives),
                         [](const auto& info) {
                           return info.param == &UringUdpLoop::Faults::fail_setup
                                      ? "RingSetUpFails"
                                      : "ReceivesKeepFailing";
                         });

INSTANTIATE_TEST_SUITE_P(UdpPaths, WorkerTest, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "IoUring" : "Epoll";
                         });

}  // namespace
}  // namespace hayate::server::net
