#include "zone/edns.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <cstdlib>
#include <vector>

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes span_bytes(std::span<const std::uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

// A response header (QR, ARCOUNT 1) followed by the given OPT RR, parsed by ldns.
ldns_pkt* ldns_parse_with_opt(const Bytes& opt_rr) {
  Bytes wire(kHeaderSize, 0);
  Header h;
  h.id = 7;
  h.set(flag::QR);
  h.arcount = 1;
  h.write(wire);
  wire.insert(wire.end(), opt_rr.begin(), opt_rr.end());
  ldns_pkt* pkt = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&pkt, wire.data(), wire.size()), LDNS_STATUS_OK);
  return pkt;
}

TEST(Edns, OptRecordIsReadByLdns) {
  Bytes options(64);
  Bytes nsid = {'h', 'a', 'y', 'a', 't', 'e'};
  std::size_t used = write_option(options, edns_option::NSID, nsid);
  ASSERT_EQ(used, 10u);
  options.resize(used);

  OptParams params;
  params.udp_payload_size = 1400;
  params.dnssec_ok = true;
  params.version = 0;
  params.ext_rcode_high = rcode::extended_part(rcode::BADVERS);
  Bytes rr(opt_rr_size(options.size()));
  ASSERT_EQ(write_opt_rr(rr, params, options), rr.size());

  ldns_pkt* pkt = ldns_parse_with_opt(rr);
  ASSERT_NE(pkt, nullptr);
  EXPECT_TRUE(ldns_pkt_edns(pkt));
  EXPECT_EQ(ldns_pkt_edns_udp_size(pkt), 1400);
  EXPECT_TRUE(ldns_pkt_edns_do(pkt));
  EXPECT_EQ(ldns_pkt_edns_version(pkt), 0);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(pkt), 1);  // BADVERS = 16 = 1 << 4
  ldns_rdf* data = ldns_pkt_edns_data(pkt);
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(Bytes(ldns_rdf_data(data), ldns_rdf_data(data) + ldns_rdf_size(data)), options);
  ldns_pkt_free(pkt);
}

TEST(Edns, OptTtlRoundTrip) {
  OptParams in;
  in.ext_rcode_high = 0xab;
  in.version = 3;
  in.dnssec_ok = true;
  in.z = 0x1234;
  std::uint32_t ttl = opt_ttl(in);
  EXPECT_EQ(ttl, 0xab039234u);
  OptParams out;
  opt_params_from_ttl(ttl, out);
  EXPECT_EQ(out.ext_rcode_high, 0xab);
  EXPECT_EQ(out.version, 3);
  EXPECT_TRUE(out.dnssec_ok);
  EXPECT_EQ(out.z, 0x1234);
}

TEST(Edns, WritersRefuseWhatDoesNotFit) {
  Bytes small(10);
  EXPECT_EQ(write_opt_rr(small, OptParams{}, {}), 0u);
  Bytes exact(kOptFixedSize);
  EXPECT_EQ(write_opt_rr(exact, OptParams{}, {}), kOptFixedSize);
  EXPECT_EQ(exact[0], 0);  // root owner
  EXPECT_EQ(load_u16(&exact[1]), rr_type::OPT);
  Bytes three(3);
  Bytes data = {1};
  EXPECT_EQ(write_option(three, 5, data), 0u);
}

TEST(Edns, OptionIteratorWalksAndFlagsOverruns) {
  Bytes area = {0,    3,    0, 0,        // NSID, empty
                0,    12,   0, 2, 0, 0,  // PADDING, 2 octets
                0xff, 0x00, 0, 1, 9};    // unknown code 65280
  OptionIterator it(area);
  EdnsOption o;
  ASSERT_TRUE(it.next(o));
  EXPECT_EQ(o.code, edns_option::NSID);
  EXPECT_TRUE(o.data.empty());
  ASSERT_TRUE(it.next(o));
  EXPECT_EQ(o.code, edns_option::PADDING);
  EXPECT_EQ(o.data.size(), 2u);
  ASSERT_TRUE(it.next(o));
  EXPECT_EQ(o.code, 0xff00);
  EXPECT_EQ(span_bytes(o.data), Bytes{9});
  EXPECT_FALSE(it.next(o));
  EXPECT_FALSE(it.malformed());
  EXPECT_TRUE(options_well_formed(area));

  EXPECT_TRUE(options_well_formed({}));
  Bytes cut_header = {0, 3, 0};
  EXPECT_FALSE(options_well_formed(cut_header));
  Bytes overrun = {0, 3, 0, 5, 1, 2, 3, 4};
  OptionIterator bad(overrun);
  EXPECT_FALSE(bad.next(o));
  EXPECT_TRUE(bad.malformed());
}

struct EcsCase {
  const char* what;
  Bytes data;
  EcsError expected;
};

TEST(Edns, ClientSubnetStrictValidation) {
  const EcsCase cases[] = {
      {"empty", {}, EcsError::kTooShort},
      {"three octets", {0, 1, 24}, EcsError::kTooShort},
      {"family 0", {0, 0, 0, 0}, EcsError::kBadFamily},
      {"family 3", {0, 3, 8, 0, 10}, EcsError::kBadFamily},
      {"IPv4 source 33", {0, 1, 33, 0, 1, 2, 3, 4, 5}, EcsError::kSourceTooLong},
      {"IPv6 source 129", {0, 2, 129, 0}, EcsError::kSourceTooLong},
      {"IPv4 scope 33", {0, 1, 24, 33, 192, 0, 2}, EcsError::kScopeTooLong},
      {"IPv6 scope 129", {0, 2, 0, 129}, EcsError::kScopeTooLong},
      {"IPv4 /24 with 4 octets", {0, 1, 24, 0, 192, 0, 2, 0}, EcsError::kAddressLength},
      {"IPv4 /24 with 2 octets", {0, 1, 24, 0, 192, 0}, EcsError::kAddressLength},
      {"IPv4 /0 with an octet", {0, 1, 0, 0, 0}, EcsError::kAddressLength},
      {"IPv4 /23 with bit 24 set", {0, 1, 23, 0, 192, 0, 3}, EcsError::kNonZeroPadding},
      {"IPv6 /57 with bit 58 set",
       {0, 2, 57, 0, 0x20, 1, 0xd, 0xb8, 0, 0, 0, 0xc0},
       EcsError::kNonZeroPadding},
  };
  for (const EcsCase& c : cases) {
    ClientSubnet out;
    EXPECT_EQ(parse_client_subnet(c.data, out), c.expected) << c.what;
    EXPECT_STRNE(ecs_error_reason(c.expected), "ok") << c.what;
  }
}

TEST(Edns, ClientSubnetValidForms) {
  ClientSubnet s;
  Bytes v4 = {0, 1, 24, 0, 192, 0, 2};
  ASSERT_EQ(parse_client_subnet(v4, s), EcsError::kOk);
  EXPECT_EQ(s.family, ecs_family::IPV4);
  EXPECT_EQ(s.source_prefix, 24);
  EXPECT_EQ(s.scope_prefix, 0);
  EXPECT_EQ(s.address[0], 192);
  EXPECT_EQ(s.address[2], 2);
  EXPECT_EQ(s.address[3], 0);

  Bytes v6 = {0, 2, 56, 0, 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56};
  ASSERT_EQ(parse_client_subnet(v6, s), EcsError::kOk);
  EXPECT_EQ(s.family, ecs_family::IPV6);
  EXPECT_EQ(s.address_length(), 7u);

  Bytes zero = {0, 1, 0, 0};  // "don't use my address" (RFC 7871 §7.1.2)
  ASSERT_EQ(parse_client_subnet(zero, s), EcsError::kOk);
  EXPECT_EQ(s.address_length(), 0u);

  Bytes full6(4 + 16, 0xff);
  full6[0] = 0;
  full6[1] = 2;
  full6[2] = 128;
  full6[3] = 128;
  ASSERT_EQ(parse_client_subnet(full6, s), EcsError::kOk);
  Bytes v4_odd = {0, 1, 23, 0, 10, 0, 2};  // /23, last octet ends with a zero bit
  EXPECT_EQ(parse_client_subnet(v4_odd, s), EcsError::kOk);
}

TEST(Edns, ClientSubnetEncodeMasksAndRoundTrips) {
  ClientSubnet s;
  s.family = ecs_family::IPV4;
  s.source_prefix = 20;
  s.scope_prefix = 16;
  s.address = {198, 51, 100, 7};
  Bytes out(32);
  std::size_t n = encode_client_subnet(s, out);
  ASSERT_EQ(n, 7u);
  out.resize(n);
  EXPECT_EQ(out, (Bytes{0, 1, 20, 16, 198, 51, 96}));  // 100 & 0xf0 = 96, octet 4 dropped
  ClientSubnet back;
  ASSERT_EQ(parse_client_subnet(out, back), EcsError::kOk);
  EXPECT_EQ(back.source_prefix, 20);
  EXPECT_EQ(back.scope_prefix, 16);
  EXPECT_EQ(back.address[2], 96);

  // The whole option, as a response carries it: code, length, data.
  Bytes option(64);
  std::size_t len = write_option(option, edns_option::CLIENT_SUBNET, out);
  ASSERT_EQ(len, 11u);
  EXPECT_EQ(load_u16(&option[0]), edns_option::CLIENT_SUBNET);
  EXPECT_EQ(load_u16(&option[2]), 7);

  ClientSubnet bad = s;
  bad.family = 9;
  EXPECT_EQ(encode_client_subnet(bad, out), 0u);
  bad = s;
  bad.source_prefix = 33;
  EXPECT_EQ(encode_client_subnet(bad, out), 0u);
  Bytes tiny(6);
  EXPECT_EQ(encode_client_subnet(s, tiny), 0u);
}

TEST(Edns, ClientSubnetInsideLdnsQueryOptionList) {
  // ldns builds a query carrying ECS; our codec reads the option from the wire OPT rdata.
  ClientSubnet s;
  s.family = ecs_family::IPV6;
  s.source_prefix = 48;
  s.address = {0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xbb};
  Bytes data(32);
  data.resize(encode_client_subnet(s, data));
  ldns_pkt* pkt = ldns_pkt_query_new(ldns_dname_new_frm_str("example."), LDNS_RR_TYPE_A,
                                     LDNS_RR_CLASS_IN, LDNS_RD);
  ldns_pkt_set_edns_udp_size(pkt, 1232);
  ldns_edns_option_list* list = ldns_edns_option_list_new();
  ldns_edns_option_list_push(
      list, ldns_edns_new_from_data(LDNS_EDNS_CLIENT_SUBNET, data.size(), data.data()));
  ldns_pkt_set_edns_option_list(pkt, list);
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  ASSERT_EQ(ldns_pkt2wire(&wire, pkt, &size), LDNS_STATUS_OK);
  Bytes packet(wire, wire + size);
  std::free(wire);
  ldns_pkt_free(pkt);

  // The OPT RR is the last 11 + 4 + data octets of the packet.
  std::size_t options_at = packet.size() - 4 - data.size();
  OptionIterator it(std::span<const std::uint8_t>(packet).subspan(options_at));
  EdnsOption o;
  ASSERT_TRUE(it.next(o));
  EXPECT_EQ(o.code, edns_option::CLIENT_SUBNET);
  ClientSubnet back;
  ASSERT_EQ(parse_client_subnet(o.data, back), EcsError::kOk);
  EXPECT_EQ(back.source_prefix, 48);
  EXPECT_EQ(back.address, s.address);
}

TEST(Edns, CookieLengths) {
  EXPECT_FALSE(cookie_length_valid(0));
  EXPECT_FALSE(cookie_length_valid(7));
  EXPECT_TRUE(cookie_length_valid(8));
  EXPECT_FALSE(cookie_length_valid(9));
  EXPECT_FALSE(cookie_length_valid(15));
  EXPECT_TRUE(cookie_length_valid(16));
  EXPECT_TRUE(cookie_length_valid(40));
  EXPECT_FALSE(cookie_length_valid(41));
}

}  // namespace
}  // namespace hayate::zone
