#include "server/net/udp_batch.hpp"

namespace hayate::server::net {

UdpBatch::UdpBatch() : queries(kMessages * kQueryStride), responses(kMessages * kResponseStride) {}

void UdpBatch::prepare_receive() {
  for (std::size_t i = 0; i < kMessages; ++i) {
    query_iov[i] = {query(i), kQuerySize};
    msghdr& h = query_headers[i].msg_hdr;
    h = {};
    h.msg_name = &peers[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &query_iov[i];
    h.msg_iovlen = 1;
    query_headers[i].msg_len = 0;
  }
}

}  // namespace hayate::server::net
