// A ClientInfo for an IPv4 address, as the transports fill it in, for pipeline tests.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include "server/query_handler.hpp"

namespace hayate::test {

inline server::ClientInfo client_from(const char* ipv4,
                                      server::Transport transport = server::Transport::kUdp) {
  server::ClientInfo client;
  auto* in = reinterpret_cast<sockaddr_in*>(&client.address);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, ipv4, &in->sin_addr);
  client.address_length = sizeof(sockaddr_in);
  client.transport = transport;
  return client;
}

}  // namespace hayate::test
