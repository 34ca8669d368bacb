// The resolver's ECS choices (RFC 7871 §7.1.1, §7.3, §11.3) on plain values.
#include "server/resolver/ecs_policy.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "iterator_test_util.hpp"

namespace hayate::server::resolver {
namespace {

using zone::ClientSubnet;
namespace ecs_family = zone::ecs_family;

sockaddr_storage socket_address(const std::string& text) {
  sockaddr_storage storage{};
  if (text.find(':') == std::string::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    inet_pton(AF_INET, text.c_str(), &in->sin_addr);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, text.c_str(), &in6->sin6_addr);
  }
  return storage;
}

ClientSubnet subnet(const std::string& address, std::uint8_t prefix) {
  auto whole = subnet_of_address(boost::asio::ip::make_address(address));
  return truncate_subnet(whole.value(), prefix);
}

EcsSettings on() {
  EcsSettings s;
  s.send = true;
  s.zones = {testing::name("example.")};
  return s;
}

std::string sent_text(const std::optional<ClientSubnet>& s) {
  return s ? subnet_to_text(*s) : "nothing";
}

TEST(EcsPolicyTest, OffByDefaultSendsNothing) {
  EcsSettings off;
  EXPECT_FALSE(ecs_for_client(off, socket_address("198.51.100.7"), std::nullopt));
  EXPECT_FALSE(ecs_allowed_for_zone(off, testing::name("www.example."),
                                    UpstreamAddress::from_string("192.0.2.1")));
}

TEST(EcsPolicyTest, ClientAddressIsCutToTheMaximumSource) {
  EXPECT_EQ(sent_text(ecs_for_client(on(), socket_address("198.51.100.77"), std::nullopt)),
            "198.51.100.0/24");
  EXPECT_EQ(sent_text(ecs_for_client(on(), socket_address("2001:db8:1:2345::9"), std::nullopt)),
            "2001:db8:1:2300::/56");
  // A dual-stack socket's IPv4-mapped address is the IPv4 client it carries.
  EXPECT_EQ(sent_text(ecs_for_client(on(), socket_address("::ffff:198.51.100.77"), std::nullopt)),
            "198.51.100.0/24");
}

// §7.1.1: the shorter of the client's SOURCE and ours; the client's own address wins over the
// packet's source (the stub may be behind a forwarder that knows better).
TEST(EcsPolicyTest, ClientOptionIsHonouredWhenShorterAndCutWhenLonger) {
  auto client = socket_address("198.51.100.77");
  EXPECT_EQ(sent_text(ecs_for_client(on(), client, subnet("203.0.113.0", 16))), "203.0.0.0/16");
  EXPECT_EQ(sent_text(ecs_for_client(on(), client, subnet("203.0.113.9", 32))), "203.0.113.0/24");
}

TEST(EcsPolicyTest, SourceZeroFromTheClientSendsNoAddress) {
  auto sent = ecs_for_client(on(), socket_address("198.51.100.77"), subnet("0.0.0.0", 0));
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->source_prefix, 0);
  EXPECT_EQ(sent->family, ecs_family::IPV4);
  EXPECT_EQ(sent->address_length(), 0u);
  auto area = ecs_options_area(*sent);
  EXPECT_EQ(area, (std::vector<std::uint8_t>{0, 8, 0, 4, 0, 1, 0, 0})) << "no ADDRESS octets";
}

// §11.3: a private address tells the server nothing true about the client.
TEST(EcsPolicyTest, PrivateClientsGetThePublicAddressOrNothing) {
  EcsSettings s = on();
  for (const char* address : {"10.1.2.3", "192.168.1.9", "172.20.0.1", "127.0.0.1", "100.64.1.1",
                              "169.254.3.3", "::1", "fd00::1", "fe80::2"}) {
    EXPECT_FALSE(ecs_for_client(s, socket_address(address), std::nullopt)) << address;
  }
  EXPECT_FALSE(ecs_for_client(s, socket_address("198.51.100.7"), subnet("10.9.0.0", 16)))
      << "a private subnet in the client's own option is not sent either";
  s.public_v4 = subnet("203.0.113.5", 32);
  s.public_v6 = subnet("2001:db8:ff::1", 128);
  EXPECT_EQ(sent_text(ecs_for_client(s, socket_address("10.1.2.3"), std::nullopt)),
            "203.0.113.0/24");
  EXPECT_EQ(sent_text(ecs_for_client(s, socket_address("fd00::1"), std::nullopt)),
            "2001:db8:ff::/56");
  EXPECT_FALSE(subnet_is_unroutable(subnet("198.51.100.1", 32)));
  EXPECT_FALSE(subnet_is_unroutable(subnet("11.0.0.1", 32)));
}

TEST(EcsPolicyTest, NeverToRootOrTldServersEvenWhenListed) {
  EcsSettings s = on();
  s.zones = {testing::name(".")};
  s.upstreams = {subnet("192.0.2.0", 24)};
  auto server = UpstreamAddress::from_string("192.0.2.1");
  EXPECT_FALSE(ecs_allowed_for_zone(s, testing::name("."), server));
  EXPECT_FALSE(ecs_allowed_for_zone(s, testing::name("com."), server));
  EXPECT_TRUE(ecs_allowed_for_zone(s, testing::name("example.com."), server));
}

TEST(EcsPolicyTest, ZonesAtOrBelowTheAllowListOrListedServers) {
  EcsSettings s = on();  // example.
  auto server = UpstreamAddress::from_string("192.0.2.1");
  EXPECT_TRUE(ecs_allowed_for_zone(s, testing::name("geo.example."), server));
  EXPECT_TRUE(ecs_allowed_for_zone(s, testing::name("a.geo.example."), server));
  EXPECT_FALSE(ecs_allowed_for_zone(s, testing::name("geo.example2."), server));
  EXPECT_FALSE(ecs_allowed_for_upstream(s, server)) << "forwarders need the address list";
  s.upstreams = {subnet("192.0.2.0", 28)};
  EXPECT_TRUE(ecs_allowed_for_zone(s, testing::name("geo.example2."), server));
  EXPECT_TRUE(ecs_allowed_for_upstream(s, server));
  EXPECT_FALSE(ecs_allowed_for_upstream(s, UpstreamAddress::from_string("192.0.2.16")));
}

zone::ResponseView response_with(std::optional<ClientSubnet> echo) {
  std::vector<std::uint8_t> out(512);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header;
  header.set(zone::flag::QR);
  renderer.begin(header);
  renderer.add_question(testing::name("www.example.").wire(), 1, 1);
  if (echo) {
    renderer.add_opt(zone::OptParams{}, ecs_options_area(*echo));
  } else {
    renderer.add_opt(zone::OptParams{});
  }
  out.resize(renderer.finish());
  zone::ResponseView view;
  EXPECT_EQ(zone::parse_response(out, view), zone::ResponseError::kOk);
  return view;
}

// §7.3: FAMILY, SOURCE and ADDRESS must be those sent; the scope is capped at SOURCE.
TEST(EcsPolicyTest, ReplyMustEchoWhatWasSent) {
  ClientSubnet sent = subnet("198.51.100.0", 24);
  ClientSubnet echo = sent;
  echo.scope_prefix = 20;
  EcsReplyCheck ok = check_ecs_reply(response_with(echo), sent);
  EXPECT_TRUE(ok.accepted);
  EXPECT_EQ(ok.scope, 20);
  echo.scope_prefix = 32;
  EXPECT_EQ(check_ecs_reply(response_with(echo), sent).scope, 24) << "scope above SOURCE";
  EcsReplyCheck none = check_ecs_reply(response_with(std::nullopt), sent);
  EXPECT_TRUE(none.accepted) << "no option: an answer for everyone";
  EXPECT_EQ(none.scope, 0);

  ClientSubnet other_address = subnet("198.51.101.0", 24);
  EXPECT_FALSE(check_ecs_reply(response_with(other_address), sent).accepted);
  ClientSubnet other_source = subnet("198.51.100.0", 23);
  EXPECT_FALSE(check_ecs_reply(response_with(other_source), sent).accepted);
  ClientSubnet other_family = subnet("2001:db8::", 24);
  EXPECT_FALSE(check_ecs_reply(response_with(other_family), sent).accepted);
}

}  // namespace
}  // namespace hayate::server::resolver
