#include "server/query_log_handler.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <memory>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/status_report.hpp"
#include "zone/message_parser.hpp"
#include "zone/rr_text.hpp"

namespace hayate::server {
namespace {

std::string client_text(const ClientInfo& client) {
  char text[INET6_ADDRSTRLEN] = "?";
  std::uint16_t port = 0;
  if (client.address.ss_family == AF_INET) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(client.address);
    ::inet_ntop(AF_INET, &a.sin_addr, text, sizeof text);
    port = ntohs(a.sin_port);
  } else if (client.address.ss_family == AF_INET6) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(client.address);
    ::inet_ntop(AF_INET6, &a.sin6_addr, text, sizeof text);
    port = ntohs(a.sin6_port);
  }
  return std::string(text) + "#" + std::to_string(port);
}

std::string question_text(std::span<const std::uint8_t> query) {
  zone::ParsedQuery parsed;
  const zone::ParseError error = zone::parse_query(query, parsed);
  if (!parsed.has_question) return std::string("(") + zone::parse_error_reason(error) + ")";
  return zone::Name::from_valid_wire(parsed.qname_wire()).to_text() + " " +
         zone::type_to_text(parsed.qtype);
}

// Logs a deferred answer when it goes out (or the drop, when the handler gives up on it). Keeps a
// copy of the query: the network buffer it came in is reused once handle() returns.
class LoggingSink final : public ResponseSink {
 public:
  LoggingSink(std::shared_ptr<ResponseSink> inner, std::span<const std::uint8_t> query,
              const ClientInfo& client)
      : inner_(std::move(inner)), query_(query.begin(), query.end()), client_(client) {}
  ~LoggingSink() override {
    if (!sent_) QueryLogHandler::log(query_, client_, 0, 0, 0);
  }
  void send(std::span<const std::uint8_t> message) override {
    if (!sent_ && message.size() >= 4) {
      QueryLogHandler::log(query_, client_, message[3] & 0x0f, 1, message.size());
    }
    sent_ = true;
    inner_->send(message);
  }

 private:
  std::shared_ptr<ResponseSink> inner_;
  std::vector<std::uint8_t> query_;
  ClientInfo client_;
  bool sent_ = false;
};

}  // namespace

void QueryLogHandler::handle(std::span<const std::uint8_t> query, const ClientInfo& client,
                             EmitResponse emit, DeferResponse defer) {
  if (!enabled_.load(std::memory_order_relaxed)) {
    inner_.handle(query, client, emit, defer);
    return;
  }
  int rcode = 0;
  std::size_t responses = 0;
  std::size_t bytes = 0;
  bool deferred = false;
  inner_.handle(
      query, client,
      [&](std::span<const std::uint8_t> message) {
        if (responses++ == 0 && message.size() >= 4) rcode = message[3] & 0x0f;
        bytes += message.size();
        emit(message);
      },
      [&]() -> std::shared_ptr<ResponseSink> {
        auto sink = defer();
        if (!sink) return sink;
        deferred = true;
        return std::make_shared<LoggingSink>(std::move(sink), query, client);
      });
  if (!deferred) log(query, client, rcode, responses, bytes);
}

void QueryLogHandler::log(std::span<const std::uint8_t> query, const ClientInfo& client, int rcode,
                          std::size_t responses, std::size_t bytes) {
  const char* transport = client.transport == Transport::kUdp ? "udp" : "tcp";
  if (responses == 0) {
    spdlog::info("query {} {} {}: dropped", client_text(client), transport, question_text(query));
    return;
  }
  spdlog::info("query {} {} {}: {} {} bytes in {} message(s)", client_text(client), transport,
               question_text(query), rcode_name(static_cast<std::uint16_t>(rcode)), bytes,
               responses);
}

}  // namespace hayate::server
