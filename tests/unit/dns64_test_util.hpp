// Small builders shared by the DNS64 tests: names and address rdata from text.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::test {

inline zone::Name N(const std::string& text) {
  return zone::Name::from_text(text).value();
}

// A/AAAA rdata from an address in text ("192.0.2.1", "2001:db8::1").
inline zone::Rdata v4(const char* text) {
  zone::Rdata out(4);
  EXPECT_EQ(inet_pton(AF_INET, text, out.data()), 1) << text;
  return out;
}

inline zone::Rdata v6(const char* text) {
  zone::Rdata out(16);
  EXPECT_EQ(inet_pton(AF_INET6, text, out.data()), 1) << text;
  return out;
}

}  // namespace hayate::test
