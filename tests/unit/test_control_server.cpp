#include "server/control_server.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <filesystem>

#include "server/metrics_server.hpp"
#include "server/status_report.hpp"
#include "tests/unit/net_test_util.hpp"

namespace hayate::server {
namespace {

namespace asio = boost::asio;
using test::IoThread;

// Answers like the daemon does, from fixed data.
class FakeCommands final : public ControlCommands {
 public:
  ControlReply execute(std::string_view command) override {
    commands.emplace_back(command);
    if (command == "status") return {true, status_lines(status)};
    if (command == "stats") return {true, stats_lines(stats)};
    if (command == "reload") return {false, {"zone x. failed"}};
    return {false, {"unknown command"}};
  }
  DaemonStatus status;
  StatsSnapshot stats;
  std::vector<std::string> commands;
};

ZoneReport report(const char* origin, std::uint32_t serial, bool serving, bool kept_old) {
  ZoneReport r;
  r.origin = *zone::Name::from_text(origin);
  r.file = "/zones/z";
  r.serial = serial;
  r.serving = serving;
  r.kept_old = kept_old;
  return r;
}

DaemonStatus sample_status() {
  DaemonStatus s;
  s.version = "1.2.3";
  s.uptime = std::chrono::seconds(42);
  s.workers = 4;
  s.io_uring_workers = 3;
  s.zones.push_back(report("example.test.", 2024010101, true, false));
  ZoneReport broken = report("broken.test.", 7, true, true);
  broken.diagnostics.push_back({zone::Severity::kWarning, "/zones/b", 3, "just a warning"});
  broken.diagnostics.push_back({zone::Severity::kError, "/zones/b", 9, "bad \"TTL\""});
  s.zones.push_back(broken);
  s.zones.push_back(report("gone.test.", 0, false, false));
  return s;
}

StatsSnapshot sample_stats() {
  StatsSnapshot s;
  s.queries_by_transport = {5, 2};
  s.responses_by_rcode[0] = 4;
  s.responses_by_rcode[3] = 2;
  s.responses_by_rcode[16] = 1;
  s.queries_by_qtype[1] = 3;
  s.queries_by_qtype[28] = 4;
  s.answers_from_cache = 6;
  s.dropped = 1;
  s.truncated = 2;
  s.ecs_queries = 9;
  s.ecs_tailored_answers = 7;
  s.ecs_queries_sent = 7;
  s.ecs_tailored_cached = 3;
  s.ecs_cache_hits = 5;
  s.ecs_cache_misses = 2;
  return s;
}

TEST(StatusReport, StatusLines) {
  EXPECT_EQ(
      status_lines(sample_status()),
      (std::vector<std::string>{
          "version=1.2.3",
          "uptime=42",
          "workers=4",
          "udp-io-uring-workers=3",
          "zones=3",
          "zone example.test. serial=2024010101 state=serving",
          R"(zone broken.test. serial=7 state=kept-old error="/zones/b:9: error: bad \"TTL\"")",
          R"(zone gone.test. serial=0 state=failed error="/zones/z: error: the zone did not load")",
      }));
}

TEST(StatusReport, StatsLines) {
  EXPECT_EQ(stats_lines(sample_stats()), (std::vector<std::string>{"queries.udp=5",
                                                                   "queries.tcp=2",
                                                                   "responses.NOERROR=4",
                                                                   "responses.FORMERR=0",
                                                                   "responses.SERVFAIL=0",
                                                                   "responses.NXDOMAIN=2",
                                                                   "responses.NOTIMP=0",
                                                                   "responses.REFUSED=0",
                                                                   "responses.BADVERS=1",
                                                                   "queries.type.A=3",
                                                                   "queries.type.AAAA=4",
                                                                   "answers-from-cache=6",
                                                                   "dropped=1",
                                                                   "truncated=2",
                                                                   "resolver.answers-from-cache=0",
                                                                   "resolver.refused=0",
                                                                   "resolver.upstream-queries=0",
                                                                   "resolver.upstream-failures=0",
                                                                   "resolver.stale-answers=0",
                                                                   "resolver.overload-drops=0",
                                                                   "dns64.synthesized=0",
                                                                   "dns64.aaaa-filtered=0",
                                                                   "ecs.queries=9",
                                                                   "ecs.tailored-answers=7",
                                                                   "resolver.ecs.queries-sent=7",
                                                                   "resolver.ecs.tailored-cached=3",
                                                                   "resolver.ecs.cache-hits=5",
                                                                   "resolver.ecs.cache-misses=2",
                                                                   "rrl.dropped=0",
                                                                   "rrl.slipped=0",
                                                                   "rrl.log-only=0"}));
}

TEST(StatusReport, MetricsText) {
  const std::string text = metrics_text(sample_status(), sample_stats());
  for (const char* line : {
           "# TYPE hayate_queries_total counter\n",
           "hayate_queries_total{transport=\"udp\"} 5\n",
           "hayate_queries_total{transport=\"tcp\"} 2\n",
           "hayate_responses_total{rcode=\"NXDOMAIN\"} 2\n",
           "hayate_queries_by_type_total{qtype=\"AAAA\"} 4\n",
           "hayate_answers_from_cache_total 6\n",
           "hayate_zone_serial{zone=\"example.test.\"} 2024010101\n",
           "hayate_zone_serial{zone=\"broken.test.\"} 7\n",
           "hayate_zone_load_failed{zone=\"broken.test.\"} 1\n",
           "hayate_zone_load_failed{zone=\"gone.test.\"} 1\n",
           "hayate_uptime_seconds 42\n",
           "hayate_workers 4\n",
           "hayate_udp_io_uring_workers 3\n",
           "hayate_resolver_ecs_queries_sent_total 7\n",
           "hayate_resolver_ecs_tailored_cached_total 3\n",
           "hayate_resolver_ecs_cache_lookups_total{result=\"hit\"} 5\n",
           "hayate_resolver_ecs_cache_lookups_total{result=\"miss\"} 2\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(text.find("hayate_zone_serial{zone=\"gone.test.\"}"), std::string::npos);
}

TEST(StatusReport, RcodeNames) {
  EXPECT_EQ(rcode_name(0), "NOERROR");
  EXPECT_EQ(rcode_name(5), "REFUSED");
  EXPECT_EQ(rcode_name(23), "BADCOOKIE");
  EXPECT_EQ(rcode_name(12), "RCODE12");
  EXPECT_EQ(rcode_name(4000), "RCODE4000");
}

class ControlServerTest : public ::testing::Test {
 protected:
  ControlServerTest() {
    char dir_template[] = "/tmp/hayate-control-test-XXXXXX";
    dir_ = ::mkdtemp(dir_template);
    path_ = dir_ + "/control.sock";
    commands_.status = sample_status();
    commands_.stats = sample_stats();
  }
  ~ControlServerTest() override {
    io_.stop();
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  void start() {
    server_ = std::make_unique<ControlServer>(io_.context, path_, commands_);
    server_->start();
    io_.start();
  }
  test::ClientSocket connect() {
    test::ClientSocket s(AF_UNIX, SOCK_STREAM, std::chrono::seconds(5));
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, path_.c_str());
    EXPECT_EQ(::connect(s.fd(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return s;
  }
  // The lines of one answer, the "end …" line included.
  static std::vector<std::string> ask(test::ClientSocket& s, const std::string& command) {
    const std::string request = command + "\n";
    EXPECT_TRUE(s.send_all(
        std::span(reinterpret_cast<const std::uint8_t*>(request.data()), request.size())));
    std::vector<std::string> lines;
    std::string line;
    char c;
    while (::recv(s.fd(), &c, 1, 0) == 1) {
      if (c != '\n') {
        line += c;
        continue;
      }
      lines.push_back(line);
      if (line.starts_with("end ")) break;
      line.clear();
    }
    return lines;
  }

  std::string dir_;
  std::string path_;
  FakeCommands commands_;
  IoThread io_;
  std::unique_ptr<ControlServer> server_;
};

TEST_F(ControlServerTest, StatusAndStatsOnOneConnection) {
  start();
  auto s = connect();
  auto status = ask(s, "status");
  auto expected = status_lines(sample_status());
  expected.push_back("end ok");
  EXPECT_EQ(status, expected);
  auto stats = ask(s, "stats");
  ASSERT_FALSE(stats.empty());
  EXPECT_EQ(stats.front(), "queries.udp=5");
  EXPECT_EQ(stats.back(), "end ok");
}

TEST_F(ControlServerTest, FailureEndsWithEndError) {
  start();
  auto s = connect();
  EXPECT_EQ(ask(s, "reload"), (std::vector<std::string>{"zone x. failed", "end error"}));
  EXPECT_EQ(ask(s, "bogus").back(), "end error");
  EXPECT_EQ(commands_.commands, (std::vector<std::string>{"reload", "bogus"}));
}

TEST_F(ControlServerTest, SocketIsPrivateAndRemovedOnClose) {
  start();
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  io_.stop();
  server_->close();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(ControlServerTest, ReplacesAStaleSocketButNotALiveOne) {
  {
    // A socket file nobody listens on, as a crashed daemon leaves it.
    asio::io_context other;
    asio::local::stream_protocol::acceptor stale(other,
                                                 asio::local::stream_protocol::endpoint(path_));
  }
  ASSERT_TRUE(std::filesystem::exists(path_));
  start();
  auto s = connect();
  EXPECT_EQ(ask(s, "status").back(), "end ok");
  asio::io_context other;
  EXPECT_THROW(ControlServer(other, path_, commands_), std::runtime_error);
}

TEST_F(ControlServerTest, OverlongLineClosesTheConnection) {
  start();
  auto s = connect();
  const std::string junk(ControlServer::kMaxLine + 10, 'x');
  s.send_all(std::span(reinterpret_cast<const std::uint8_t*>(junk.data()), junk.size()));
  EXPECT_EQ(s.wait_eof_or_data(), 0);
}

std::string http_get(std::uint16_t port, const std::string& target) {
  test::ClientSocket s(AF_INET, SOCK_STREAM, std::chrono::seconds(5));
  EXPECT_TRUE(s.connect_v4(port));
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: x\r\n\r\n";
  s.send_all(std::span(reinterpret_cast<const std::uint8_t*>(request.data()), request.size()));
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = ::recv(s.fd(), buffer, sizeof buffer, 0)) > 0)
    response.append(buffer, n);
  return response;
}

TEST(MetricsServer, ServesMetricsAndNothingElse) {
  IoThread io;
  MetricsServer server(io.context, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                       [] { return std::string("hayate_uptime_seconds 1\n"); });
  server.start();
  io.start();
  const std::uint16_t port = server.local_endpoint().port();
  const std::string ok = http_get(port, "/metrics");
  EXPECT_TRUE(ok.starts_with("HTTP/1.0 200 OK\r\n")) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_TRUE(ok.ends_with("\r\n\r\nhayate_uptime_seconds 1\n"));
  EXPECT_TRUE(http_get(port, "/").starts_with("HTTP/1.0 404"));
  io.stop();
}

}  // namespace
}  // namespace hayate::server
