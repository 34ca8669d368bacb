#include "server/net/udp_server.hpp"

#include <gtest/gtest.h>

#include <set>

#include "tests/unit/udp_test_util.hpp"

namespace hayate::server::net {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;
using test::ClientSocket;
using test::DeferringHandler;
using test::EchoHandler;
using test::IoThread;
using test::make_query;
using test::message_id;
using test::receive_ids;
using test::receive_with_source;
using test::send_to;
using test::SourcedResponse;

constexpr auto kTimeout = std::chrono::seconds(5);

class UdpServerTest : public ::testing::Test {
 protected:
  UdpServerTest() : batch_(std::make_unique<UdpBatch>()) {}
  std::uint16_t start(const char* address = "127.0.0.1", std::uint16_t port = 0,
                      QueryHandler* handler = nullptr) {
    servers_.push_back(std::make_unique<UdpServer>(
        io_.context, udp::endpoint(asio::ip::make_address(address), port),
        handler != nullptr ? *handler : handler_, *batch_));
    servers_.back()->start();
    return servers_.back()->local_endpoint().port();
  }
  ~UdpServerTest() override { io_.stop(); }

  EchoHandler handler_;
  std::unique_ptr<UdpBatch> batch_;
  IoThread io_;
  std::vector<std::unique_ptr<UdpServer>> servers_;
};

TEST_F(UdpServerTest, AnswersOneQuery) {
  const std::uint16_t port = start();
  io_.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(client, make_query(0x1234), port);
  EXPECT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{0x1234});
  EXPECT_EQ(handler_.last_transport.load(), Transport::kUdp);
  EXPECT_EQ(handler_.last_listener_port.load(), port) << "ClientInfo names the listener";
}

// More datagrams than one recvmmsg batch, sent before the server thread even runs, so they sit
// in the socket buffer and come out in full batches.
TEST_F(UdpServerTest, AnswersEveryDatagramOfManyBatches) {
  const std::uint16_t port = start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  constexpr std::uint16_t kCount = 200;
  std::multiset<std::uint16_t> sent;
  for (std::uint16_t id = 1; id <= kCount; ++id) {
    send_to(client, make_query(id), port);
    sent.insert(id);
  }
  io_.start();
  EXPECT_EQ(receive_ids(client, kCount), sent);
  EXPECT_EQ(handler_.handled.load(), kCount);
}

// One query at a time, each sent after the previous answer: every wake-up finds one datagram and
// drains the socket, so each wait is the one without epoll_ctl (udp_readiness.hpp). An edge lost
// between the drain and the next wait would leave a query unanswered here.
TEST_F(UdpServerTest, QueriesOneAtATimeAreEachAnsweredAfterADrain) {
  const std::uint16_t port = start();
  io_.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  for (std::uint16_t id = 1; id <= 500; ++id) {
    send_to(client, make_query(id), port);
    ASSERT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{id});
  }
  // And pairs sent back to back, which may arrive together or on either side of a wait.
  for (std::uint16_t id = 1000; id < 1400; id += 2) {
    send_to(client, make_query(id), port);
    send_to(client, make_query(id + 1), port);
    ASSERT_EQ(receive_ids(client, 2), (std::multiset<std::uint16_t>{id, std::uint16_t(id + 1)}));
  }
  EXPECT_EQ(handler_.handled.load(), 500u + 400u);
}

// Several clients with queries in flight at once. (Each sends a window at a time: a burst larger
// than the socket's receive buffer would be dropped by the kernel, whatever the server does.)
TEST_F(UdpServerTest, ManyClientsWhileRunning) {
  const std::uint16_t port = start();
  io_.start();
  std::vector<std::unique_ptr<ClientSocket>> clients;
  for (int c = 0; c < 8; ++c) {
    clients.push_back(std::make_unique<ClientSocket>(AF_INET, SOCK_DGRAM, kTimeout));
  }
  constexpr std::uint16_t kWindow = 16;
  for (std::uint16_t round = 0; round < 5; ++round) {
    for (std::uint16_t i = 0; i < kWindow; ++i) {
      for (auto& c : clients)
        send_to(*c, make_query(round * kWindow + i), port);
    }
    for (auto& c : clients)
      ASSERT_EQ(receive_ids(*c, kWindow).size(), kWindow);
  }
  EXPECT_EQ(handler_.handled.load(), 8 * 5 * kWindow);
}

TEST_F(UdpServerTest, DroppedQueriesGetNothingAndOthersStillAnswered) {
  const std::uint16_t port = start();
  io_.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, std::chrono::milliseconds(500));
  for (std::uint16_t id = 0; id < 40; ++id) {
    // IDs 0xff00.. start with 0xff: EchoHandler drops them.
    send_to(client, make_query(id % 2 == 0 ? id : static_cast<std::uint16_t>(0xff00 | id)), port);
  }
  const auto ids = receive_ids(client, 40);  // waits out the timeout: only 20 come
  EXPECT_EQ(ids.size(), 20u);
  for (auto id : ids)
    EXPECT_EQ(id % 2, 0);
}

TEST_F(UdpServerTest, TwoWorkersShareThePortWithReusePort) {
  const std::uint16_t port = start();
  EXPECT_EQ(start("127.0.0.1", port), port);
  io_.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(client, make_query(7), port);
  EXPECT_EQ(receive_ids(client, 1).size(), 1u);
}

TEST_F(UdpServerTest, Ipv6Loopback) {
  std::uint16_t port = 0;
  try {
    port = start("::1");
  } catch (const boost::system::system_error&) {
    GTEST_SKIP() << "no IPv6 loopback here";
  }
  io_.start();
  ClientSocket client(AF_INET6, SOCK_DGRAM, kTimeout);
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_port = htons(port);
  to.sin6_addr = in6addr_loopback;
  const auto q = make_query(66);
  ASSERT_EQ(
      ::sendto(client.fd(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
      static_cast<ssize_t>(q.size()));
  EXPECT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{66});
}

TEST_F(UdpServerTest, OversizedDatagramIsDroppedAndServerKeepsServing) {
  const std::uint16_t port = start();
  io_.start();
  ClientSocket client(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(client, make_query(1, UdpBatch::kQuerySize + 100), port);
  send_to(client, make_query(2), port);
  EXPECT_EQ(receive_ids(client, 1), std::multiset<std::uint16_t>{2});
}

// One batch mixing what the server must drop (an empty datagram, one larger than any query, one
// the handler drops) with good queries from two clients: each client gets exactly its own good
// answers, whole, whatever the drops around them did to the batch's positions.
TEST_F(UdpServerTest, MixedBatchAnswersEachClientOnlyItsGoodQueries) {
  const std::uint16_t port = start();
  ClientSocket a(AF_INET, SOCK_DGRAM, std::chrono::milliseconds(500));
  ClientSocket b(AF_INET, SOCK_DGRAM, std::chrono::milliseconds(500));
  std::multiset<std::uint16_t> good_a, good_b;
  for (std::uint16_t id = 1; id <= 24; ++id) {
    const ClientSocket& client = id % 2 == 0 ? a : b;
    switch (id % 4) {
      case 0:
        send_to(client, make_query(0xff00 | id), port);  // the handler drops it
        break;
      case 1:
        send_to(client, make_query(id, 20), port);
        good_b.insert(id);
        break;
      case 2:
        send_to(client, make_query(id, 40), port);
        good_a.insert(id);
        break;
      case 3:
        send_to(client, std::span<const std::uint8_t>(), port);       // empty
        send_to(client, make_query(id, UdpBatch::kQuerySize), port);  // truncated by the kernel
        break;
    }
  }
  io_.start();  // all of it is queued: the first recvmmsg takes one full batch
  auto receive_checked = [](const ClientSocket& s, std::size_t extra) {
    std::multiset<std::uint16_t> ids;
    std::uint8_t buffer[512];
    for (ssize_t n; (n = ::recv(s.fd(), buffer, sizeof buffer, 0)) > 0;) {
      EXPECT_EQ(static_cast<std::size_t>(n), 12 + extra) << "the answer to this client's query";
      ids.insert(message_id(std::span<const std::uint8_t>(buffer, n)));
    }
    return ids;
  };
  EXPECT_EQ(receive_checked(a, 40), good_a);
  EXPECT_EQ(receive_checked(b, 20), good_b);
  // Every ID once (the empty datagrams too); the oversized ones never reach the handler.
  EXPECT_EQ(handler_.handled.load(), 24);
}

// A deferred answer leaves from the socket the query came to, for the client that asked, in the
// order the answers become ready; the synchronous batch path is not involved.
TEST_F(UdpServerTest, DeferredAnswersAreSentLaterToTheRightClient) {
  DeferringHandler deferring;
  const std::uint16_t port = start("127.0.0.1", 0, &deferring);
  io_.start();
  ClientSocket a(AF_INET, SOCK_DGRAM, kTimeout);
  ClientSocket b(AF_INET, SOCK_DGRAM, kTimeout);
  send_to(a, make_query(1), port);
  send_to(b, make_query(2), port);
  send_to(a, make_query(3), port);
  ASSERT_TRUE(deferring.wait_for(3));
  deferring.answer(3);
  deferring.answer(2);
  deferring.answer(1);
  EXPECT_EQ(receive_with_source(a), (SourcedResponse{3, 12, port}))
      << "answered from the listening socket";
  EXPECT_EQ(receive_ids(a, 1), std::multiset<std::uint16_t>{1});
  EXPECT_EQ(receive_ids(b, 1), std::multiset<std::uint16_t>{2});
}

// A deferred answer that arrives after the listener closed is dropped quietly.
TEST_F(UdpServerTest, DeferredAnswerAfterCloseIsDropped) {
  DeferringHandler deferring;
  const std::uint16_t port = start("127.0.0.1", 0, &deferring);
  io_.start();
  ClientSocket a(AF_INET, SOCK_DGRAM, std::chrono::milliseconds(300));
  send_to(a, make_query(5), port);
  ASSERT_TRUE(deferring.wait_for(1));
  io_.stop();
  servers_.clear();
  deferring.answer(5);  // posts to a stopped io_context: never sent, never crashes
  EXPECT_TRUE(receive_ids(a, 1).empty());
}

}  // namespace
}  // namespace hayate::server::net
