#include "server/net/tcp_server.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "tests/unit/net_test_util.hpp"

namespace hayate::server::net {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::ClientSocket;
using test::DeferringHandler;
using test::EchoHandler;
using test::framed;
using test::IoThread;
using test::make_query;
using test::message_id;
using Clock = std::chrono::steady_clock;

constexpr auto kTimeout = std::chrono::seconds(5);

class TcpServerTest : public ::testing::Test {
 protected:
  std::uint16_t start(QueryHandler& handler, std::size_t max_total = 0,
                      std::size_t max_per_client = 0,
                      std::chrono::milliseconds idle = std::chrono::seconds(10)) {
    limiter_ = std::make_unique<ConnectionLimiter>(max_total, max_per_client);
    server_ = std::make_unique<TcpServer>(io_.context,
                                          tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                          handler, *limiter_, TcpOptions{idle});
    server_->start();
    io_.start();
    return server_->local_endpoint().port();
  }
  ClientSocket connect(std::uint16_t port, std::chrono::milliseconds timeout = kTimeout) {
    ClientSocket s(AF_INET, SOCK_STREAM, timeout);
    EXPECT_TRUE(s.connect_v4(port));
    return s;
  }
  // One query and its answer over a fresh or given connection.
  static bool round_trip(ClientSocket& s, std::uint16_t id) {
    if (!s.send_all(framed(make_query(id)))) return false;
    auto answer = s.read_frame();
    return answer && answer->size() == 12 && message_id(*answer) == id;
  }
  ~TcpServerTest() override { io_.stop(); }

  // Destroyed in reverse: the server, then the io_context (which destroys the open connections'
  // coroutines, whose slots go back to the limiter), then the limiter.
  std::unique_ptr<ConnectionLimiter> limiter_;
  IoThread io_;
  std::unique_ptr<TcpServer> server_;
};

TEST_F(TcpServerTest, AnswersOneFramedQuery) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket s = connect(port);
  EXPECT_TRUE(round_trip(s, 42));
  EXPECT_EQ(handler.last_transport.load(), Transport::kTcp);
  EXPECT_EQ(handler.last_listener_port.load(), port) << "ClientInfo names the listener";
}

// RFC 7766 §6.2.1.1: many queries sent back to back on one connection, all answered in order.
TEST_F(TcpServerTest, PipelinedQueriesAllAnsweredWithCorrectFraming) {
  EchoHandler handler;
  ClientSocket s = connect(start(handler));
  std::vector<std::uint8_t> burst;
  constexpr std::uint16_t kCount = 300;
  for (std::uint16_t id = 0; id < kCount; ++id) {
    const auto f = framed(make_query(id, id % 50));  // varied sizes straddle read boundaries
    burst.insert(burst.end(), f.begin(), f.end());
  }
  ASSERT_TRUE(s.send_all(burst));
  for (std::uint16_t id = 0; id < kCount; ++id) {
    auto answer = s.read_frame();
    ASSERT_TRUE(answer) << "answer " << id;
    EXPECT_EQ(answer->size(), 12u + id % 50);
    EXPECT_EQ(message_id(*answer), id);
  }
}

TEST_F(TcpServerTest, QueriesSplitAcrossWritesAreReassembled) {
  EchoHandler handler;
  ClientSocket s = connect(start(handler));
  const auto f = framed(make_query(9, 100));
  for (std::uint8_t byte : f)
    ASSERT_TRUE(s.send_all(std::span<const std::uint8_t>(&byte, 1)));
  auto answer = s.read_frame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(message_id(*answer), 9);
}

TEST_F(TcpServerTest, LargestMessageFits) {
  EchoHandler handler;
  ClientSocket s = connect(start(handler));
  ASSERT_TRUE(s.send_all(framed(make_query(5, 65535 - 12))));
  auto answer = s.read_frame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->size(), 65535u);
}

TEST_F(TcpServerTest, HandlerEmittingThreeMessagesGivesThreeFrames) {
  EchoHandler handler(3);  // like an AXFR split over several messages
  ClientSocket s = connect(start(handler));
  ASSERT_TRUE(s.send_all(framed(make_query(77))));
  for (int i = 0; i < 3; ++i) {
    auto answer = s.read_frame();
    ASSERT_TRUE(answer) << "message " << i;
    EXPECT_EQ(message_id(*answer), 77);
  }
  ClientSocket probe = std::move(s);
  EXPECT_TRUE(round_trip(probe, 78));  // the stream is still in step
}

TEST_F(TcpServerTest, DroppedQueryGetsNoAnswerButConnectionContinues) {
  EchoHandler handler;
  ClientSocket s = connect(start(handler));
  ASSERT_TRUE(s.send_all(framed(make_query(0xff01))));
  EXPECT_TRUE(round_trip(s, 3));  // the next frame is the answer to 3, not to the dropped one
}

TEST_F(TcpServerTest, IdleConnectionIsClosedAfterTheTimeout) {
  EchoHandler handler;
  const auto idle = std::chrono::milliseconds(1000);
  ClientSocket s = connect(start(handler, 0, 0, idle));
  ASSERT_TRUE(round_trip(s, 1));
  const auto quiet_since = Clock::now();
  EXPECT_EQ(s.wait_eof_or_data(), 0) << "closed by the server, not timed out by the client";
  const auto waited = Clock::now() - quiet_since;
  EXPECT_GE(waited, idle - std::chrono::milliseconds(100));
  EXPECT_LT(waited, std::chrono::milliseconds(4000));
}

TEST_F(TcpServerTest, ConnectionWithoutAnyQueryAlsoTimesOut) {
  EchoHandler handler;
  ClientSocket s = connect(start(handler, 0, 0, std::chrono::milliseconds(500)));
  EXPECT_EQ(s.wait_eof_or_data(), 0);
}

// RFC 7766 §6.2.2: per-client limit; the connection over it is closed at once.
TEST_F(TcpServerTest, PerClientLimitRefusesTheExtraConnection) {
  EchoHandler handler;
  const std::uint16_t port = start(handler, 0, 2);
  ClientSocket a = connect(port);
  ClientSocket b = connect(port);
  ASSERT_TRUE(round_trip(a, 1));
  ASSERT_TRUE(round_trip(b, 2));
  ClientSocket c = connect(port);
  c.send_all(framed(make_query(3)));  // may fail already: the server may have closed it
  EXPECT_EQ(c.wait_eof_or_data(), 0);
  EXPECT_TRUE(round_trip(a, 4)) << "the connections within the limit still work";
}

// RFC 7766 §6.2.2: the total limit ([server] tcp-max-clients) counts every client.
TEST_F(TcpServerTest, TotalLimitRefusesTheConnectionOverIt) {
  EchoHandler handler;
  const std::uint16_t port = start(handler, 2, 0);
  ClientSocket a = connect(port);
  ClientSocket b = connect(port);
  ASSERT_TRUE(round_trip(a, 1));
  ASSERT_TRUE(round_trip(b, 2));
  ClientSocket c = connect(port);
  c.send_all(framed(make_query(3)));
  EXPECT_EQ(c.wait_eof_or_data(), 0);
  EXPECT_EQ(limiter_->open_connections(), 2u);
  EXPECT_TRUE(round_trip(b, 4));
}

// A slowloris client dribbles a query a byte at a time so that it never completes: only whole
// queries count as activity, so it is closed at the idle timeout, and since connections are
// coroutines it holds no thread meanwhile: another client is answered while it dribbles.
TEST_F(TcpServerTest, SlowClientSendingABytePerTickIsDroppedAndHoldsNoWorker) {
  EchoHandler handler;
  const auto idle = std::chrono::milliseconds(1000);
  const std::uint16_t port = start(handler, 0, 0, idle);
  ClientSocket slow = connect(port, std::chrono::milliseconds(250));
  const std::vector<std::uint8_t> query = framed(make_query(7));
  const auto started = Clock::now();
  std::size_t sent = 0;
  bool closed = false;
  while (!closed && sent < query.size()) {
    slow.send_all(std::span<const std::uint8_t>(&query[sent++], 1));
    if (sent == 2) {
      ClientSocket other = connect(port);
      const auto asked = Clock::now();
      EXPECT_TRUE(round_trip(other, 8));
      EXPECT_LT(Clock::now() - asked, std::chrono::milliseconds(500));
    }
    closed = slow.wait_eof_or_data() == 0;  // waits up to 250 ms for the server's close
  }
  EXPECT_TRUE(closed) << "the whole query went through at one byte per 250 ms";
  EXPECT_LT(sent, query.size());
  EXPECT_LT(Clock::now() - started, idle + std::chrono::milliseconds(1500));
}

// A client that sends queries but never reads the answers: once the server's socket buffer and
// its queue (1 MiB) are full it stops reading, no write completes, and the connection is closed
// at the idle timeout instead of being held for ever.
TEST_F(TcpServerTest, ClientThatNeverReadsIsDroppedAtTheIdleTimeout) {
  EchoHandler handler;
  const std::uint16_t port = start(handler, 0, 0, std::chrono::milliseconds(500));
  ClientSocket s(AF_INET, SOCK_STREAM, std::chrono::milliseconds(200));
  const int small = 4096;
  ::setsockopt(s.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  const timeval send_timeout{10, 0};  // bounds the test if the server never closes
  ::setsockopt(s.fd(), SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
  ASSERT_TRUE(s.connect_v4(port));
  // More answers (14 octets each) than the server's socket buffer and queue hold.
  std::vector<std::uint8_t> many;
  for (int i = 0; i < 600000; ++i) {
    const auto f = framed(make_query(static_cast<std::uint16_t>(i)));
    many.insert(many.end(), f.begin(), f.end());
  }
  const auto started = Clock::now();
  s.send_all(many);  // fails part way when the server closes first; else all sits in buffers
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(8));
  const auto deadline = Clock::now() + kTimeout;
  while (limiter_->open_connections() != 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polled, with a deadline
  }
  EXPECT_EQ(limiter_->open_connections(), 0u);
}

TEST_F(TcpServerTest, ClosedConnectionFreesItsSlot) {
  EchoHandler handler;
  const std::uint16_t port = start(handler, 1, 0);
  {
    ClientSocket a = connect(port);
    ASSERT_TRUE(round_trip(a, 1));
  }
  // The server notices the close asynchronously: retry until a deadline.
  const auto deadline = Clock::now() + kTimeout;
  bool served = false;
  while (!served && Clock::now() < deadline) {
    ClientSocket b = connect(port, std::chrono::milliseconds(500));
    served = round_trip(b, 2);
  }
  EXPECT_TRUE(served);
}

TEST_F(TcpServerTest, ZeroLengthClosesTheConnection) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket s = connect(port);
  const std::uint8_t zero[] = {0, 0};
  ASSERT_TRUE(s.send_all(zero));
  EXPECT_EQ(s.wait_eof_or_data(), 0);
  ClientSocket t = connect(port);
  EXPECT_TRUE(round_trip(t, 5)) << "still serving";
}

TEST_F(TcpServerTest, ShortReadClosesTheConnection) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket s = connect(port);
  const std::uint8_t partial[] = {0, 100, 1, 2, 3, 4, 5};  // 100 promised, 5 sent
  ASSERT_TRUE(s.send_all(partial));
  ::shutdown(s.fd(), SHUT_WR);
  EXPECT_EQ(s.wait_eof_or_data(), 0);
  EXPECT_EQ(handler.handled.load(), 0);
  ClientSocket t = connect(port);
  EXPECT_TRUE(round_trip(t, 6)) << "still serving";
}

TEST_F(TcpServerTest, GarbageDoesNotCrash) {
  EchoHandler handler;
  const std::uint16_t port = start(handler);
  ClientSocket s = connect(port, std::chrono::milliseconds(300));
  std::vector<std::uint8_t> junk(5000);
  for (std::size_t i = 0; i < junk.size(); ++i)
    junk[i] = static_cast<std::uint8_t>(i * 131 + 7);
  s.send_all(junk);
  ::shutdown(s.fd(), SHUT_WR);
  while (s.wait_eof_or_data() == 1) {
  }
  ClientSocket t = connect(port);
  EXPECT_TRUE(round_trip(t, 8)) << "still serving";
}

// A client may close its sending side after its queries; it still gets every answer.
TEST_F(TcpServerTest, HalfCloseAfterQueriesStillGetsAnswers) {
  EchoHandler handler;
  ClientSocket s = connect(start(handler));
  for (std::uint16_t id = 0; id < 3; ++id)
    ASSERT_TRUE(s.send_all(framed(make_query(id))));
  ::shutdown(s.fd(), SHUT_WR);
  for (std::uint16_t id = 0; id < 3; ++id) {
    auto answer = s.read_frame();
    ASSERT_TRUE(answer);
    EXPECT_EQ(message_id(*answer), id);
  }
  EXPECT_EQ(s.wait_eof_or_data(), 0);
}

// RFC 7766 §6.2.1.1: answers to pipelined queries may come back in any order; each is framed
// whole on the one connection.
TEST_F(TcpServerTest, DeferredAnswersGoOutInTheOrderTheyAreReady) {
  DeferringHandler handler;
  ClientSocket s = connect(start(handler));
  for (std::uint16_t id = 1; id <= 3; ++id)
    ASSERT_TRUE(s.send_all(framed(make_query(id))));
  ASSERT_TRUE(handler.wait_for(3));
  for (std::uint16_t id : {3, 1, 2})
    handler.answer(id);
  for (std::uint16_t id : {3, 1, 2}) {
    auto answer = s.read_frame();
    ASSERT_TRUE(answer);
    EXPECT_EQ(message_id(*answer), id);
    EXPECT_NE((*answer)[2] & 0x80, 0);
  }
}

// A connection whose answers are still being worked on is not idle, however long that takes.
TEST_F(TcpServerTest, PendingAnswerKeepsTheConnectionOpenPastTheIdleTimeout) {
  DeferringHandler handler;
  const auto idle = std::chrono::milliseconds(200);
  ClientSocket s = connect(start(handler, 0, 0, idle));
  ASSERT_TRUE(s.send_all(framed(make_query(7))));
  ASSERT_TRUE(handler.wait_for(1));
  std::this_thread::sleep_for(idle * 3);
  handler.answer(7);
  auto answer = s.read_frame();
  ASSERT_TRUE(answer) << "the connection was closed while an answer was pending";
  EXPECT_EQ(message_id(*answer), 7);
  // Once nothing is pending, the idle timeout applies again.
  const auto before = Clock::now();
  EXPECT_EQ(s.wait_eof_or_data(), 0);
  EXPECT_LT(Clock::now() - before, std::chrono::seconds(3));
}

// After a half-close the connection waits for the pending answers, then closes; an abandoned
// answer counts as settled.
TEST_F(TcpServerTest, HalfCloseWaitsForDeferredAnswersThenCloses) {
  DeferringHandler handler;
  ClientSocket s = connect(start(handler));
  for (std::uint16_t id = 1; id <= 2; ++id)
    ASSERT_TRUE(s.send_all(framed(make_query(id))));
  ASSERT_TRUE(handler.wait_for(2));
  ::shutdown(s.fd(), SHUT_WR);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  handler.answer(2);
  auto answer = s.read_frame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(message_id(*answer), 2);
  handler.abandon(1);
  EXPECT_EQ(s.wait_eof_or_data(), 0);
}

// The client left before its answer was ready: the answer is dropped, nothing breaks.
TEST_F(TcpServerTest, AnswerForAClosedConnectionIsDropped) {
  DeferringHandler handler;
  const std::uint16_t port = start(handler);
  {
    ClientSocket s = connect(port);
    ASSERT_TRUE(s.send_all(framed(make_query(9))));
    ASSERT_TRUE(handler.wait_for(1));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  handler.answer(9);
  ClientSocket t = connect(port);
  ASSERT_TRUE(t.send_all(framed(make_query(10))));
  ASSERT_TRUE(handler.wait_for(1));
  handler.answer(10);
  auto answer = t.read_frame();
  ASSERT_TRUE(answer);
  EXPECT_EQ(message_id(*answer), 10);
}

}  // namespace
}  // namespace hayate::server::net
