#include "server/query_log_handler.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

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

}  // namespace

void QueryLogHandler::handle(std::span<const std::uint8_t> query, const ClientInfo& client,
                             EmitResponse emit) {
  if (!enabled_.load(std::memory_order_relaxed)) {
    inner_.handle(query, client, emit);
    return;
  }
  int rcode = 0;
  std::size_t responses = 0;
  std::size_t bytes = 0;
  inner_.handle(query, client, [&](std::span<const std::uint8_t> message) {
    if (responses++ == 0 && message.size() >= 4) rcode = message[3] & 0x0f;
    bytes += message.size();
    emit(message);
  });
  log(query, client, rcode, responses, bytes);
}

void QueryLogHandler::log(std::span<const std::uint8_t> query, const ClientInfo& client, int rcode,
                          std::size_t responses, std::size_t bytes) const {
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
