// The whole query pipeline: arbitrary bytes in, through QueryProcessor (parse, checks, answer
// cache, authoritative answer, DNS64 / AAAA filter, render) against an in-memory zone, over UDP
// and TCP, for a client without a policy and for one of each [[dns64]] mode. Every response must
// parse back (ldns-independent walk with RecordReader), keep the query's ID, fit the transport's
// limit, and a second identical query (answered from the cache) must give the same bytes.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "fuzz/fuzz_check.hpp"
#include "server/query_processor.hpp"
#include "zone/record_reader.hpp"
#include "zone/zone_file_reader.hpp"

namespace {

using namespace hayate;

using hayate::fuzz::check;

constexpr const char* kZone = R"($TTL 300
@       SOA  ns hostmaster 1 7200 900 1209600 60
        NS   ns
        NS   ns.example.net.
        MX   10 mail
ns      A    192.0.2.1
mail    A    192.0.2.25
        AAAA 2001:db8::25
www     CNAME web
web     A    192.0.2.80
*.wild  TXT  "wild"
*.wc    CNAME www
loop    CNAME loop
sub     NS   ns.sub
ns.sub  A    192.0.2.53
dn      DNAME example.
svc     HTTPS 1 . alpn=h2 ipv4hint=192.0.2.80 ipv6hint=2001:db8::80
v4only  A    198.51.100.7
big     TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "1"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "2"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "3"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "4"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "5"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "6"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "7"
        TXT  "0123456789012345678901234567890123456789012345678901234567890123456789" "8"
)";

std::shared_ptr<const server::ServingState> make_state(std::optional<server::Dns64Mode> mode) {
  auto origin = *zone::Name::from_text("example.");
  auto z = std::make_shared<zone::Zone>(origin);
  zone::ZoneFileReadOptions options;
  options.origin = origin;
  zone::ZoneFileReader reader(options, z->files());
  auto error = reader.read_text(
      "fuzz.zone", kZone,
      [&](zone::ParsedRecord&& r) { z->add(r.owner, r.type, r.ttl, std::move(r.rdata), r.where); },
      [](zone::Diagnostic&&) {});
  check(!error);
  z->finalize();
  auto zones = std::make_shared<zone::ZoneSet>();
  zones->add(z);
  auto state = std::make_shared<server::ServingState>();
  state->zones = zones;
  state->view_zones.push_back(zones);  // the default view (ServingState::view_zones[0])
  state->transfer_acls.emplace(origin, server::Acl::loopback());
  if (mode) {
    server::Dns64Policy policy;
    policy.mode = *mode;
    // The well-known prefix and a /40 one: RFC 6052 §3.1 and the u octet both take part.
    policy.prefixes.push_back(zone::Nat64Prefix{{0x20, 0x01, 0x0d, 0xb8, 0x01}, 40});
    policy.clients = server::Acl({*server::Prefix::parse("0.0.0.0/0")});
    state->policy.dns64 = server::Dns64Policies({policy});
  }
  return state;
}

void check_response(std::span<const std::uint8_t> wire, std::span<const std::uint8_t> query,
                    std::size_t limit) {
  check(wire.size() >= zone::kHeaderSize && wire.size() <= limit);
  check(wire[0] == query[0] && wire[1] == query[1]);  // the ID
  zone::RecordReader reader(wire);
  zone::Header h;
  check(reader.read_header(h) == zone::WireError::kOk);
  check(h.has(zone::flag::QR));
  for (std::uint16_t i = 0; i < h.qdcount; ++i) {
    std::uint16_t type = 0, rclass = 0;
    check(reader.read_question(nullptr, type, rclass) == zone::WireError::kOk);
  }
  zone::WireName owner;
  zone::WireRecord record;
  for (int i = 0; i < h.ancount + h.nscount + h.arcount; ++i) {
    check(reader.read_record(&owner, record) == zone::WireError::kOk);
  }
  check(reader.at_end());
}

std::vector<std::vector<std::uint8_t>> ask(server::QueryProcessor& processor,
                                           std::span<const std::uint8_t> query,
                                           server::Transport transport) {
  server::ClientInfo client;
  client.address.ss_family = AF_INET;
  client.address_length = sizeof(sockaddr_in);
  client.transport = transport;
  std::vector<std::vector<std::uint8_t>> out;
  processor.prefetch(query);  // as the io_uring loop does for the next datagram of a batch
  processor.handle(query, client, [&](std::span<const std::uint8_t> message) {
    out.emplace_back(message.begin(), message.end());
  });
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static server::WorkerStats stats;
  static server::QueryProcessor processors[] = {
      {make_state(std::nullopt), stats},
      {make_state(server::Dns64Mode::kDns64), stats},
      {make_state(server::Dns64Mode::kFilterAaaa), stats},
      {make_state(server::Dns64Mode::kSynthesizeAlways), stats},
  };
  std::span<const std::uint8_t> query(data, size);
  for (server::QueryProcessor& processor : processors) {
    for (auto transport : {server::Transport::kUdp, server::Transport::kTcp}) {
      std::size_t limit = transport == server::Transport::kUdp ? 4096 : 65535;
      auto first = ask(processor, query, transport);
      for (const auto& message : first)
        check_response(message, query, limit);
      if (transport == server::Transport::kUdp) check(first.size() <= 1);
      auto again = ask(processor, query, transport);  // now possibly from the answer cache
      check(again == first);
    }
  }
  return 0;
}
