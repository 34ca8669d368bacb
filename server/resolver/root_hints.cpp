#include "server/resolver/root_hints.hpp"

#include <optional>
#include <utility>

#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/address_v6.hpp>

#include "zone/diagnostic.hpp"
#include "zone/rr_type.hpp"
#include "zone/zone_file_reader.hpp"

namespace hayate::server::resolver {
namespace {

namespace rr_type = zone::rr_type;

// https://www.internic.net/domain/named.root, records only (the comments say when it was
// last changed: "last update: November 20, 2023", "related version of root zone: 2023112001").
constexpr std::string_view kNamedRoot = R"(
.                        3600000      NS    A.ROOT-SERVERS.NET.
A.ROOT-SERVERS.NET.      3600000      A     198.41.0.4
A.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:ba3e::2:30
.                        3600000      NS    B.ROOT-SERVERS.NET.
B.ROOT-SERVERS.NET.      3600000      A     170.247.170.2
B.ROOT-SERVERS.NET.      3600000      AAAA  2801:1b8:10::b
.                        3600000      NS    C.ROOT-SERVERS.NET.
C.ROOT-SERVERS.NET.      3600000      A     192.33.4.12
C.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:2::c
.                        3600000      NS    D.ROOT-SERVERS.NET.
D.ROOT-SERVERS.NET.      3600000      A     199.7.91.13
D.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:2d::d
.                        3600000      NS    E.ROOT-SERVERS.NET.
E.ROOT-SERVERS.NET.      3600000      A     192.203.230.10
E.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:a8::e
.                        3600000      NS    F.ROOT-SERVERS.NET.
F.ROOT-SERVERS.NET.      3600000      A     192.5.5.241
F.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:2f::f
.                        3600000      NS    G.ROOT-SERVERS.NET.
G.ROOT-SERVERS.NET.      3600000      A     192.112.36.4
G.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:12::d0d
.                        3600000      NS    H.ROOT-SERVERS.NET.
H.ROOT-SERVERS.NET.      3600000      A     198.97.190.53
H.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:1::53
.                        3600000      NS    I.ROOT-SERVERS.NET.
I.ROOT-SERVERS.NET.      3600000      A     192.36.148.17
I.ROOT-SERVERS.NET.      3600000      AAAA  2001:7fe::53
.                        3600000      NS    J.ROOT-SERVERS.NET.
J.ROOT-SERVERS.NET.      3600000      A     192.58.128.30
J.ROOT-SERVERS.NET.      3600000      AAAA  2001:503:c27::2:30
.                        3600000      NS    K.ROOT-SERVERS.NET.
K.ROOT-SERVERS.NET.      3600000      A     193.0.14.129
K.ROOT-SERVERS.NET.      3600000      AAAA  2001:7fd::1
.                        3600000      NS    L.ROOT-SERVERS.NET.
L.ROOT-SERVERS.NET.      3600000      A     199.7.83.42
L.ROOT-SERVERS.NET.      3600000      AAAA  2001:500:9f::42
.                        3600000      NS    M.ROOT-SERVERS.NET.
M.ROOT-SERVERS.NET.      3600000      A     202.12.27.33
M.ROOT-SERVERS.NET.      3600000      AAAA  2001:dc3::35
)";

std::optional<UpstreamAddress> address_of(const zone::ParsedRecord& record) {
  if (record.type == rr_type::A && record.rdata.size() == 4) {
    boost::asio::ip::address_v4::bytes_type bytes;
    std::copy(record.rdata.begin(), record.rdata.end(), bytes.begin());
    return UpstreamAddress{boost::asio::ip::address_v4(bytes), 53};
  }
  if (record.type == rr_type::AAAA && record.rdata.size() == 16) {
    boost::asio::ip::address_v6::bytes_type bytes;
    std::copy(record.rdata.begin(), record.rdata.end(), bytes.begin());
    return UpstreamAddress{boost::asio::ip::address_v6(bytes), 53};
  }
  return std::nullopt;
}

// Pairs the root's NS names with the addresses given for them, in NS order.
zone::Result<RootHints> assemble(const std::vector<zone::ParsedRecord>& records) {
  RootHints hints;
  for (const auto& record : records) {
    if (record.type != rr_type::NS || !record.owner.is_root()) continue;
    auto target = zone::Name::from_wire(record.rdata);
    if (!target) return zone::Error{"bad NS rdata in root hints"};
    hints.servers.push_back(NameServer{std::move(target.value()), {}});
  }
  for (const auto& record : records) {
    auto address = address_of(record);
    if (!address) continue;
    for (auto& server : hints.servers)
      if (server.name == record.owner) server.addresses.push_back(*address);
  }
  for (const auto& server : hints.servers)
    if (!server.addresses.empty()) return hints;
  return zone::Error{"root hints name no root server with an address"};
}

zone::Result<RootHints> read_hints(const std::optional<std::string>& path, std::string_view text,
                                   const std::string& source) {
  zone::ZoneFileReadOptions options;  // origin "." (the default Name)
  options.allow_include = false;      // hints are one file
  std::vector<std::string> files;
  zone::ZoneFileReader reader(options, files);
  std::vector<zone::ParsedRecord> records;
  auto sink = [&records](zone::ParsedRecord&& record) { records.push_back(std::move(record)); };
  auto ignore = [](zone::Diagnostic&&) {};
  auto error =
      path ? reader.read(*path, sink, ignore) : reader.read_text(source, text, sink, ignore);
  if (error) return zone::Error{error->to_string()};
  return assemble(records);
}

}  // namespace

const RootHints& builtin_root_hints() {
  static const RootHints hints = [] {
    auto parsed = parse_root_hints(kNamedRoot, "built-in named.root");
    return parsed ? std::move(parsed.value()) : RootHints{};
  }();
  return hints;
}

zone::Result<RootHints> parse_root_hints(std::string_view text, const std::string& source) {
  return read_hints(std::nullopt, text, source);
}

zone::Result<RootHints> load_root_hints(const std::string& path) {
  return read_hints(path, {}, path);
}

}  // namespace hayate::server::resolver
