/* What the XDP program does with one packet (hayate_xdp.bpf.c is its entry point). In a header
 * of its own so that the benchmark's driver (xdp_warm_run.bpf.c) runs the very same code. */
#ifndef HAYATE_BPF_XDP_PACKET_H
#define HAYATE_BPF_XDP_PACKET_H

#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "xdp_limits.h"
#include "xdp_maps.h"
#include "xdp_parse.h"
#include "xdp_reply.h"
#include "xdp_shared.h"

static __always_inline void count(__u32 which) {
  __u64* c = bpf_map_lookup_elem(&counters, &which);
  if (c) *c += 1;
}

static __always_inline int hayate_xdp_packet(struct xdp_md* ctx) {
  __u32 zero = 0;
  const struct hayate_xdp_config* cfg = bpf_map_lookup_elem(&xdp_config, &zero);
  if (!cfg) return XDP_PASS;

  struct packet pkt = {};
  enum verdict v = parse_transport(ctx, cfg, &pkt);
  if (v == V_NOT_DNS) {
    count(HAYATE_XDP_PASS_NOT_DNS);
    return XDP_PASS;
  }
  if (blocked(cfg, &pkt)) {
    count(HAYATE_XDP_DROP_BLOCK);
    return XDP_DROP;
  }
  int budget = over_budget(cfg, &pkt);
  if (budget == 1) { /* dropped before any DNS parsing: a flood costs as little as possible */
    count(HAYATE_XDP_DROP_RATE);
    return XDP_DROP;
  }

  struct scratch* scratch = bpf_map_lookup_elem(&key_scratch, &zero);
  if (!scratch) return XDP_PASS;
  struct hayate_xdp_key key = {};
  struct question q = {};
  if (v == V_OK) v = parse_dns(ctx, &pkt, scratch, &key, &q);

  if (budget != 0) {
    if (v == V_OK) {
      /* RFC 8109-style slip as in BIND's RRL: an empty TC=1 answer sends a real client to TCP,
       * where a spoofed source cannot follow. */
      struct reply_header rh = {.flags = DNS_FLAG_QR | DNS_FLAG_TC};
      int built = build_reply(ctx, &pkt, &q, &rh, NULL);
      if (built == 0) {
        count(HAYATE_XDP_TC_SLIP);
        return XDP_TX;
      }
    }
    count(HAYATE_XDP_DROP_RATE);
    return XDP_DROP;
  }
  if (v != V_OK) {
    count(HAYATE_XDP_PASS_OTHER);
    return XDP_PASS;
  }

  const struct hayate_xdp_answer* a = bpf_map_lookup_elem(&hot_answers, &key);
  if (!a || !same_name(scratch, a, key.name_words) || a->expires_ns <= bpf_ktime_get_coarse_ns()) {
    count(HAYATE_XDP_MISS);
    return XDP_PASS;
  }
  __u32 dns_len = DNS_HEADER + q.qname_len + 4 + a->body_len;
  __u32 limit = q.udp_size ? q.udp_size : 512; /* RFC 1035 §4.2.1 without EDNS */
  __u32 ip_len = (pkt.is_v6 ? 40 : 20) + 8 + dns_len;
  if (a->body_len > HAYATE_XDP_MAX_BODY || dns_len > limit || ip_len > cfg->mtu) {
    count(HAYATE_XDP_PASS_TOO_BIG);
    return XDP_PASS;
  }
  struct reply_header rh = {
      .flags = a->flags,
      .ancount = a->ancount,
      .nscount = a->nscount,
      .arcount = a->arcount,
      .body_len = a->body_len,
      .body_csum = a->body_csum,
  };
  int built = build_reply(ctx, &pkt, &q, &rh, a->body);
  if (built == -1) { /* no room to grow the frame (the driver's tailroom): user space answers */
    count(HAYATE_XDP_PASS_TOO_BIG);
    return XDP_PASS;
  }
  if (built != 0) {
    count(HAYATE_XDP_DROP_ERROR);
    return XDP_DROP;
  }
  count(HAYATE_XDP_HIT);
  __u32 slot = a->slot;
  __u64* hits = bpf_map_lookup_elem(&hot_hits, &slot);
  if (hits) *hits += 1;
  return XDP_TX;
}

#endif
