// Root hints: where iterative resolution starts when the cache knows no closer delegation
// (RFC 1034 §5.3.3 step 2, "SBELT"; RFC 8109 §3).
//
// The built-in hints are IANA's named.root (the 13 letters a–m.root-servers.net, IPv4 and IPv6).
// An operator, and the tests, can replace them with a file in the same zone-file format, read
// with origin "." by the zone file reader: NS records at the root name the servers, A/AAAA
// records give their addresses. Other records are ignored (as BIND and Unbound do).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/resolver/upstream_address.hpp"
#include "zone/name.hpp"
#include "zone/result.hpp"

namespace hayate::server::resolver {

// One name server of a delegation and the addresses known for it (empty: glueless).
struct NameServer {
  zone::Name name;
  std::vector<UpstreamAddress> addresses;
};

struct RootHints {
  std::vector<NameServer> servers;  // in file order
};

// IANA's root hints (named.root as of 2023-11, b.root-servers.net's new addresses included).
const RootHints& builtin_root_hints();

// Parses hints in named.root format. An error when the text does not parse, or when no NS record
// at the root has an address (such hints could never start a resolution).
zone::Result<RootHints> parse_root_hints(std::string_view text,
                                         const std::string& source = "root-hints");
// The same for a file.
zone::Result<RootHints> load_root_hints(const std::string& path);

}  // namespace hayate::server::resolver
