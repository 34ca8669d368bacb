// The real upstream transport against fake servers on loopback (UDP and TCP, port 0), and the
// wire checks it relies on (upstream_wire.hpp).
#include "server/resolver/udp_tcp_upstream.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/resolver/upstream_wire.hpp"
#include "zone/message_parser.hpp"
#include "zone/message_renderer.hpp"
#include "zone/record_reader.hpp"

namespace hayate::server::resolver {
namespace {

using namespace std::chrono_literals;

zone::Name name(const char* text) {
  return zone::Name::from_text(text).value();
}

// ---- building responses the way a server would ----

struct Reply {
  std::uint16_t id_delta = 0;             // != 0: a wrong ID
  std::optional<zone::Name> other_qname;  // a wrong question
  bool truncated = false;                 // TC=1, no records
  std::uint8_t rcode = zone::rcode::NOERROR;
  bool echo_opt = true;                // OPT back when the query had one
  bool question = true;                // false: QDCOUNT 0
  std::uint32_t address = 0xc0000201;  // the A record's rdata: 192.0.2.1

  Reply& set_id_delta(std::uint16_t v) {
    id_delta = v;
    return *this;
  }
  Reply& set_other_qname(const zone::Name& v) {
    other_qname = v;
    return *this;
  }
  Reply& set_truncated(bool v) {
    truncated = v;
    return *this;
  }
  Reply& set_rcode(std::uint8_t v) {
    rcode = v;
    return *this;
  }
  Reply& set_echo_opt(bool v) {
    echo_opt = v;
    return *this;
  }
  Reply& set_question(bool v) {
    question = v;
    return *this;
  }
  Reply& set_address(std::uint32_t v) {
    address = v;
    return *this;
  }
};

std::vector<std::uint8_t> make_reply(std::span<const std::uint8_t> query, const Reply& r) {
  zone::ParsedQuery parsed;
  EXPECT_EQ(zone::parse_query(query, parsed), zone::ParseError::kOk);
  std::vector<std::uint8_t> out(4096);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header = parsed.header;
  header.id = static_cast<std::uint16_t>(header.id + r.id_delta);
  renderer.begin_response(header);
  renderer.header().set(zone::flag::AA);
  renderer.header().set(zone::flag::TC, r.truncated);
  renderer.set_rcode(r.rcode);
  const auto qname = r.other_qname ? r.other_qname->wire() : parsed.qname_wire();
  if (r.question) renderer.add_question(qname, parsed.qtype, parsed.qclass);
  if (!r.truncated && r.rcode == zone::rcode::NOERROR) {
    std::uint8_t rdata[4];
    zone::store_u32(rdata, r.address);
    renderer.add_record(zone::Section::kAnswer, qname, parsed.qtype, parsed.qclass, 300, rdata);
  }
  if (parsed.has_edns && r.echo_opt) renderer.add_opt(zone::OptParams{});
  out.resize(renderer.finish());
  return out;
}

std::uint32_t answer_address(std::span<const std::uint8_t> response) {
  zone::Header header;
  zone::Header::parse(response, header);
  zone::RecordReader reader(response, zone::kHeaderSize);
  zone::WireName qname;
  std::uint16_t qtype;
  std::uint16_t qclass;
  if (reader.read_question(&qname, qtype, qclass) != zone::WireError::kOk || header.ancount == 0)
    return 0;
  zone::WireRecord record;
  if (reader.read_record(nullptr, record) != zone::WireError::kOk || record.rdata.size() != 4)
    return 0;
  return zone::load_u32(record.rdata.data());
}

bool has_edns(std::span<const std::uint8_t> query) {
  zone::ParsedQuery parsed;
  return zone::parse_query(query, parsed) == zone::ParseError::kOk && parsed.has_edns;
}

// ---- fake servers: a thread each, POSIX sockets, stopped by the destructor ----

int bind_socket(int family, int type, std::uint16_t port) {
  const int fd = ::socket(family, type, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage{};
  socklen_t length;
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(&storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    length = sizeof(sockaddr_in);
  } else {
    auto* a = reinterpret_cast<sockaddr_in6*>(&storage);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    length = sizeof(sockaddr_in6);
  }
  if (::bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t local_port(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  return ntohs(storage.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                            : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
}

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 20) > 0;
}

class FakeUdpServer {
 public:
  struct Query {
    std::vector<std::uint8_t> message;
    sockaddr_storage from{};
    socklen_t from_length = 0;
    std::uint16_t from_port() const {
      return ntohs(reinterpret_cast<const sockaddr_in*>(&from)->sin_port);  // same offset in v6
    }
  };
  // Called on the server's thread for each query; replies with send()/send_from_other().
  using Handler = std::function<void(FakeUdpServer&, const Query&)>;

  FakeUdpServer(int family, Handler handler) : handler_(std::move(handler)) {
    fd_ = bind_socket(family, SOCK_DGRAM, 0);
    other_fd_ = bind_socket(family, SOCK_DGRAM, 0);
    if (fd_ >= 0 && other_fd_ >= 0) thread_ = std::thread([this] { run(); });
  }
  ~FakeUdpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
    if (other_fd_ >= 0) ::close(other_fd_);
  }
  bool ok() const { return fd_ >= 0 && other_fd_ >= 0; }
  std::uint16_t port() const { return local_port(fd_); }

  void send(const Query& q, std::span<const std::uint8_t> m) { send_on(fd_, q, m); }
  void send_from_other(const Query& q, std::span<const std::uint8_t> m) {
    send_on(other_fd_, q, m);
  }

  std::vector<Query> queries() {
    std::lock_guard lock(mutex_);
    return queries_;
  }

 private:
  static void send_on(int fd, const Query& q, std::span<const std::uint8_t> m) {
    ::sendto(fd, m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&q.from), q.from_length);
  }
  void run() {
    std::uint8_t buffer[65535];
    while (!stop_) {
      if (!readable(fd_)) continue;
      Query q;
      q.from_length = sizeof q.from;
      const ssize_t n = ::recvfrom(fd_, buffer, sizeof buffer, 0,
                                   reinterpret_cast<sockaddr*>(&q.from), &q.from_length);
      if (n <= 0) continue;
      q.message.assign(buffer, buffer + n);
      {
        std::lock_guard lock(mutex_);
        queries_.push_back(q);
      }
      handler_(*this, q);
    }
  }

  Handler handler_;
  int fd_ = -1;
  int other_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<Query> queries_;
  std::thread thread_;
};

// Answers framed queries on one port (RFC 7766 §8) with whatever the handler returns.
class FakeTcpServer {
 public:
  using Handler =
      std::function<std::vector<std::vector<std::uint8_t>>(std::span<const std::uint8_t> query)>;

  FakeTcpServer(int family, std::uint16_t port, Handler handler) : handler_(std::move(handler)) {
    fd_ = bind_socket(family, SOCK_STREAM, port);
    if (fd_ >= 0 && ::listen(fd_, 8) == 0) thread_ = std::thread([this] { run(); });
  }
  ~FakeTcpServer() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) ::close(fd_);
  }
  bool ok() const { return thread_.joinable(); }
  int connections() const { return connections_; }

 private:
  static bool read_exact(int fd, std::uint8_t* out, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t r = ::recv(fd, out + done, n - done, 0);
      if (r <= 0) return false;
      done += static_cast<std::size_t>(r);
    }
    return true;
  }
  void serve(int client) {
    std::uint8_t prefix[2];
    if (!read_exact(client, prefix, 2)) return;
    std::vector<std::uint8_t> query(zone::load_u16(prefix));
    if (!read_exact(client, query.data(), query.size())) return;
    for (const auto& m : handler_(query)) {
      std::vector<std::uint8_t> framed(2);
      zone::store_u16(framed.data(), static_cast<std::uint16_t>(m.size()));
      framed.insert(framed.end(), m.begin(), m.end());
      ::send(client, framed.data(), framed.size(), MSG_NOSIGNAL);
    }
  }
  void run() {
    while (!stop_) {
      if (!readable(fd_)) continue;
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) continue;
      ++connections_;
      serve(client);
      ::close(client);
    }
  }

  Handler handler_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// ---- the fixture: the transport on an io_context run by the test's own thread ----

class UdpTcpUpstreamTest : public ::testing::Test {
 protected:
  UpstreamQuery query_to(std::uint16_t port, const char* ip = "127.0.0.1") {
    UpstreamQuery q;
    q.qname = name("www.Example.COM.");
    q.qtype = 1;
    q.server = UpstreamAddress::from_string(ip, port);
    q.timeout = 1000ms;
    return q;
  }

  // Sends and runs the io_context until the result is in (run() returns once nothing is left).
  UpstreamResult exchange(const UpstreamQuery& q) {
    std::optional<UpstreamResult> result;
    bool inside_send = true;
    transport_.send(q, [&](UpstreamResult r) {
      EXPECT_FALSE(inside_send) << "completion inside send()";
      result = std::move(r);
    });
    inside_send = false;
    context_.restart();
    context_.run();
    EXPECT_TRUE(result.has_value());
    return result.value_or(UpstreamResult{});
  }

  boost::asio::io_context context_;
  InfraCache infra_;
  UdpTcpUpstream transport_{context_, infra_};
};

TEST_F(UdpTcpUpstreamTest, NormalAnswer) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, {}));
  });
  ASSERT_TRUE(server.ok());
  const UpstreamQuery q = query_to(server.port());
  const UpstreamResult r = exchange(q);
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(answer_address(r.response), 0xc0000201u);
  EXPECT_EQ(r.protocol, UpstreamProtocol::kUdp);
  EXPECT_TRUE(r.edns_used);
  EXPECT_EQ(r.messages, 1);
  EXPECT_EQ(r.dropped, 0);
  EXPECT_EQ(zone::load_u16(r.response.data()), r.id);

  // What went out: RD clear, the question as given, OPT with our payload size.
  const auto sent = server.queries();
  ASSERT_EQ(sent.size(), 1u);
  zone::ParsedQuery parsed;
  ASSERT_EQ(zone::parse_query(sent[0].message, parsed), zone::ParseError::kOk);
  EXPECT_FALSE(parsed.header.has(zone::flag::RD));
  EXPECT_EQ(zone::Name::from_wire(parsed.qname_wire()).value().to_text(), "www.Example.COM.");
  EXPECT_TRUE(parsed.has_edns);
  EXPECT_EQ(parsed.udp_payload_size, 1232);

  // The infra cache has a first RTT sample and knows the server does EDNS.
  const auto info = infra_.info(q.server);
  ASSERT_TRUE(info);
  EXPECT_TRUE(info->measured);
  EXPECT_EQ(info->edns, EdnsSupport::kYes);
  EXPECT_EQ(transport_.stats().responses, 1u);
}

TEST_F(UdpTcpUpstreamTest, Ipv6Answer) {
  FakeUdpServer server(AF_INET6, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, {}));
  });
  if (!server.ok()) GTEST_SKIP() << "no IPv6 loopback";
  const UpstreamResult r = exchange(query_to(server.port(), "::1"));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(answer_address(r.response), 0xc0000201u);
}

TEST_F(UdpTcpUpstreamTest, WrongIdAndWrongQuestionAreIgnored) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, Reply().set_id_delta(1).set_address(0x0a000001)));
    s.send(q,
           make_reply(q.message,
                      Reply().set_other_qname(name("www.example.net.")).set_address(0x0a000002)));
    s.send(q, make_reply(q.message, Reply().set_question(false).set_address(0x0a000003)));
    // The question with other case is the same question (RFC 4343): accepted.
    s.send(q, make_reply(q.message, Reply().set_other_qname(name("WWW.example.com."))));
  });
  ASSERT_TRUE(server.ok());
  const UpstreamResult r = exchange(query_to(server.port()));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(answer_address(r.response), 0xc0000201u);
  EXPECT_EQ(r.dropped, 3);
  EXPECT_EQ(transport_.stats().dropped_wrong_id, 1u);
  EXPECT_EQ(transport_.stats().dropped_wrong_question, 2u);
}

TEST_F(UdpTcpUpstreamTest, AnswerFromAnotherPortIsIgnored) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send_from_other(
        q, make_reply(q.message, Reply().set_address(0x0a000001)));  // perfect but spoofed
    std::this_thread::sleep_for(20ms);                               // let it arrive first
    s.send(q, make_reply(q.message, {}));
  });
  ASSERT_TRUE(server.ok());
  const UpstreamResult r = exchange(query_to(server.port()));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(answer_address(r.response), 0xc0000201u);
}

TEST_F(UdpTcpUpstreamTest, SilentServerTimesOut) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer&, const FakeUdpServer::Query&) {});
  ASSERT_TRUE(server.ok());
  UpstreamQuery q = query_to(server.port());
  q.timeout = 150ms;
  const auto start = std::chrono::steady_clock::now();
  const UpstreamResult r = exchange(q);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, UpstreamStatus::kTimeout);
  EXPECT_GE(r.rtt, 150ms);
  EXPECT_LT(r.rtt, 500ms);
  EXPECT_GE(elapsed, 150ms);
  EXPECT_LT(elapsed, 600ms);
  EXPECT_EQ(infra_.info(q.server)->consecutive_timeouts, 1u);
  EXPECT_EQ(transport_.stats().timeouts, 1u);
}

TEST_F(UdpTcpUpstreamTest, OnlyMismatchedAnswersIsATimeout) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, Reply().set_id_delta(7)));
  });
  ASSERT_TRUE(server.ok());
  UpstreamQuery q = query_to(server.port());
  q.timeout = 100ms;
  const UpstreamResult r = exchange(q);
  EXPECT_EQ(r.status, UpstreamStatus::kTimeout);
  EXPECT_EQ(r.dropped, 1);
}

TEST_F(UdpTcpUpstreamTest, ClosedPortIsANetworkErrorNotATimeout) {
  const int fd = bind_socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  const std::uint16_t port = local_port(fd);
  ::close(fd);  // nothing listens there now: the kernel answers ICMP port unreachable
  UpstreamQuery q = query_to(port);
  q.timeout = 2000ms;
  const UpstreamResult r = exchange(q);
  EXPECT_EQ(r.status, UpstreamStatus::kNetworkError);
  EXPECT_LT(r.rtt, 1000ms);
}

TEST_F(UdpTcpUpstreamTest, AdaptiveTimeoutComesFromTheInfraCache) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer&, const FakeUdpServer::Query&) {});
  ASSERT_TRUE(server.ok());
  UpstreamQuery q = query_to(server.port());
  q.timeout = 0ms;
  infra_.record_rtt(q.server, 10ms);  // RTO clamps to 50 ms
  const UpstreamResult r = exchange(q);
  EXPECT_EQ(r.status, UpstreamStatus::kTimeout);
  EXPECT_GE(r.rtt, 50ms);
  EXPECT_LT(r.rtt, 400ms);
}

TEST_F(UdpTcpUpstreamTest, TruncatedAnswerIsRetriedOverTcp) {
  FakeUdpServer udp(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, Reply().set_truncated(true)));
  });
  ASSERT_TRUE(udp.ok());
  FakeTcpServer tcp(AF_INET, udp.port(), [](std::span<const std::uint8_t> query) {
    // A stray message with another ID first: dropped, the read goes on.
    return std::vector<std::vector<std::uint8_t>>{
        make_reply(query, Reply().set_id_delta(1).set_address(0x0a000001)),
        make_reply(query, Reply().set_address(0xc0000202))};
  });
  ASSERT_TRUE(tcp.ok());
  const UpstreamResult r = exchange(query_to(udp.port()));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(r.protocol, UpstreamProtocol::kTcp);
  EXPECT_EQ(answer_address(r.response), 0xc0000202u);
  EXPECT_EQ(r.messages, 2);
  EXPECT_EQ(r.dropped, 1);
  EXPECT_EQ(tcp.connections(), 1);
  EXPECT_EQ(transport_.stats().tcp_retries, 1u);
}

TEST_F(UdpTcpUpstreamTest, TruncatedAnswerIsKeptWhenTcpIsRefused) {
  FakeUdpServer udp(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, Reply().set_truncated(true)));
  });
  ASSERT_TRUE(udp.ok());
  const UpstreamResult r = exchange(query_to(udp.port()));
  EXPECT_EQ(r.status, UpstreamStatus::kTruncated);
  EXPECT_TRUE(response_facts(r.response).truncated);
  EXPECT_EQ(r.protocol, UpstreamProtocol::kUdp);
}

TEST_F(UdpTcpUpstreamTest, TcpOnlyQuery) {
  FakeUdpServer udp(AF_INET, [](FakeUdpServer&, const FakeUdpServer::Query&) {});
  ASSERT_TRUE(udp.ok());
  FakeTcpServer tcp(AF_INET, udp.port(), [](std::span<const std::uint8_t> query) {
    return std::vector<std::vector<std::uint8_t>>{make_reply(query, {})};
  });
  ASSERT_TRUE(tcp.ok());
  UpstreamQuery q = query_to(udp.port());
  q.transport = TransportPreference::kTcpOnly;
  const UpstreamResult r = exchange(q);
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(r.protocol, UpstreamProtocol::kTcp);
  EXPECT_TRUE(udp.queries().empty());
}

TEST_F(UdpTcpUpstreamTest, FormErrToEdnsFallsBackAndIsRemembered) {
  // An old server: FORMERR without OPT (and without a question) to anything with EDNS.
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    if (has_edns(q.message)) {
      s.send(q,
             make_reply(
                 q.message,
                 Reply().set_rcode(zone::rcode::FORMERR).set_echo_opt(false).set_question(false)));
    } else {
      s.send(q, make_reply(q.message, {}));
    }
  });
  ASSERT_TRUE(server.ok());
  const UpstreamQuery q = query_to(server.port());
  UpstreamResult r = exchange(q);
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_FALSE(r.edns_used);
  EXPECT_EQ(r.messages, 2);
  EXPECT_EQ(answer_address(r.response), 0xc0000201u);
  EXPECT_EQ(infra_.edns_support(q.server), EdnsSupport::kNo);
  EXPECT_EQ(transport_.stats().edns_fallbacks, 1u);

  // The next query goes without EDNS at once.
  r = exchange(q);
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(r.messages, 1);
  const auto sent = server.queries();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_TRUE(has_edns(sent[0].message));
  EXPECT_FALSE(has_edns(sent[1].message));
  EXPECT_FALSE(has_edns(sent[2].message));
}

TEST_F(UdpTcpUpstreamTest, FormErrWithOptIsNotAnEdnsProblem) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, Reply().set_rcode(zone::rcode::FORMERR)));
  });
  ASSERT_TRUE(server.ok());
  const UpstreamResult r = exchange(query_to(server.port()));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_TRUE(r.edns_used);
  EXPECT_EQ(r.messages, 1);
  EXPECT_EQ(response_facts(r.response).rcode, zone::rcode::FORMERR);
}

// A FORMERR to a query with options (ECS, RFC 7871) may be about the option: the caller retries
// without it, so the transport neither falls back to plain DNS nor marks the server non-EDNS.
TEST_F(UdpTcpUpstreamTest, FormErrToAQueryWithOptionsGoesBackToTheCaller) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, Reply().set_rcode(zone::rcode::FORMERR).set_echo_opt(false)));
  });
  ASSERT_TRUE(server.ok());
  UpstreamQuery q = query_to(server.port());
  q.edns_options = {0, 8, 0, 7, 0, 1, 24, 0, 198, 51, 100};  // ECS 198.51.100.0/24
  const UpstreamResult r = exchange(q);
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_TRUE(r.edns_used);
  EXPECT_EQ(r.messages, 1);
  EXPECT_EQ(response_facts(r.response).rcode, zone::rcode::FORMERR);
  EXPECT_NE(infra_.edns_support(q.server), EdnsSupport::kNo);
  EXPECT_EQ(transport_.stats().edns_fallbacks, 0u);
}

TEST_F(UdpTcpUpstreamTest, SilenceToEdnsLeadsToAPlainProbe) {
  // A middlebox that eats EDNS: no answer at all to OPT queries.
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    if (!has_edns(q.message)) s.send(q, make_reply(q.message, {}));
  });
  ASSERT_TRUE(server.ok());
  UpstreamQuery q = query_to(server.port());
  q.timeout = 60ms;
  EXPECT_EQ(exchange(q).status, UpstreamStatus::kTimeout);
  EXPECT_EQ(exchange(q).status, UpstreamStatus::kTimeout);
  const UpstreamResult r = exchange(q);  // twice nothing: RFC 6891 §7, try without EDNS
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_FALSE(r.edns_used);
  EXPECT_EQ(infra_.edns_support(q.server), EdnsSupport::kNo);
}

TEST_F(UdpTcpUpstreamTest, SourcePortsAndIdsVary) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, {}));
  });
  ASSERT_TRUE(server.ok());
  std::set<std::uint16_t> ids;
  for (int i = 0; i < 20; ++i) {
    const UpstreamResult r = exchange(query_to(server.port()));
    ASSERT_EQ(r.status, UpstreamStatus::kOk);
    ids.insert(r.id);
  }
  std::set<std::uint16_t> ports;
  for (const auto& q : server.queries())
    ports.insert(q.from_port());
  EXPECT_GE(ports.size(), 18u);  // RFC 5452 §9.2
  EXPECT_GE(ids.size(), 18u);    // RFC 5452 §9.1
  EXPECT_EQ(transport_.stats().random_port_fallbacks, 0u);
}

TEST_F(UdpTcpUpstreamTest, ConcurrentQueriesOnOneContext) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, {}));
  });
  ASSERT_TRUE(server.ok());
  int ok = 0;
  for (int i = 0; i < 10; ++i) {
    transport_.send(query_to(server.port()),
                    [&ok](UpstreamResult r) { ok += r.status == UpstreamStatus::kOk; });
  }
  context_.run();
  EXPECT_EQ(ok, 10);
}

TEST_F(UdpTcpUpstreamTest, CoroutineCallerWithAsyncQuery) {
  FakeUdpServer server(AF_INET, [](FakeUdpServer& s, const FakeUdpServer::Query& q) {
    s.send(q, make_reply(q.message, {}));
  });
  ASSERT_TRUE(server.ok());
  std::optional<UpstreamResult> result;
  const UpstreamQuery q = query_to(server.port());
  boost::asio::co_spawn(
      context_,
      [&]() -> boost::asio::awaitable<void> {
        result = co_await async_query(transport_, q, boost::asio::use_awaitable);
      },
      boost::asio::detached);
  context_.run();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, UpstreamStatus::kOk);
}

// ---- upstream_wire ----

TEST(UpstreamWire, BuildsTheQueryAsAsked) {
  UpstreamQuery q;
  q.qname = name("example.org.");
  q.qtype = 28;
  q.recursion_desired = true;
  q.checking_disabled = true;
  q.dnssec_ok = true;
  q.udp_payload_size = 1400;
  std::uint8_t option[8];
  q.edns_options.assign(option, option + zone::write_option(option, 65001, {}));
  const auto wire = build_upstream_query(q, 0x1234, true);
  zone::ParsedQuery parsed;
  ASSERT_EQ(zone::parse_query(wire, parsed), zone::ParseError::kOk);
  EXPECT_EQ(parsed.header.id, 0x1234);
  EXPECT_TRUE(parsed.header.has(zone::flag::RD));
  EXPECT_TRUE(parsed.header.has(zone::flag::CD));
  EXPECT_EQ(parsed.qtype, 28);
  EXPECT_TRUE(parsed.has_edns);
  EXPECT_TRUE(parsed.dnssec_ok);
  EXPECT_EQ(parsed.udp_payload_size, 1400);
  EXPECT_EQ(parsed.options_length, 4);

  const auto plain = build_upstream_query(q, 0x1234, false);
  ASSERT_EQ(zone::parse_query(plain, parsed), zone::ParseError::kOk);
  EXPECT_FALSE(parsed.has_edns);
}

TEST(UpstreamWire, MatchesIdAndQuestion) {
  UpstreamQuery q;
  q.qname = name("a.example.");
  const auto query = build_upstream_query(q, 77, true);
  EXPECT_EQ(match_response(make_reply(query, {}), 77, q), ResponseMatch::kAccept);
  EXPECT_EQ(match_response(make_reply(query, {}), 78, q), ResponseMatch::kWrongId);
  EXPECT_EQ(match_response(query, 77, q), ResponseMatch::kNotResponse);  // QR=0
  EXPECT_EQ(match_response(make_reply(query, Reply().set_other_qname(name("b.example."))), 77, q),
            ResponseMatch::kWrongQuestion);
  EXPECT_EQ(match_response(make_reply(query, Reply().set_other_qname(name("A.EXAMPLE."))), 77, q),
            ResponseMatch::kAccept);
  UpstreamQuery other_type = q;
  other_type.qtype = 28;
  EXPECT_EQ(match_response(make_reply(query, {}), 77, other_type), ResponseMatch::kWrongQuestion);
  // No question: only FORMERR/NOTIMP (the old servers' answer to EDNS) pass.
  EXPECT_EQ(match_response(make_reply(query, Reply().set_question(false)), 77, q),
            ResponseMatch::kWrongQuestion);
  EXPECT_EQ(
      match_response(make_reply(query, Reply().set_rcode(zone::rcode::NOTIMP).set_question(false)),
                     77, q),
      ResponseMatch::kAccept);
  const std::uint8_t short_message[5] = {};
  EXPECT_EQ(match_response(short_message, 77, q), ResponseMatch::kNotResponse);
}

TEST(UpstreamWire, ResponseFacts) {
  UpstreamQuery q;
  q.qname = name("a.example.");
  const auto query = build_upstream_query(q, 1, true);
  auto facts = response_facts(make_reply(query, {}));
  EXPECT_TRUE(facts.has_opt);
  EXPECT_FALSE(facts.truncated);
  facts = response_facts(make_reply(query, Reply().set_truncated(true).set_echo_opt(false)));
  EXPECT_TRUE(facts.truncated);
  EXPECT_FALSE(facts.has_opt);
  facts = response_facts(make_reply(query, Reply().set_rcode(zone::rcode::SERVFAIL)));
  EXPECT_EQ(facts.rcode, zone::rcode::SERVFAIL);
}

}  // namespace
}  // namespace hayate::server::resolver
