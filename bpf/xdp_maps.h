/* The XDP program's maps (sizes set by the loader), DNS constants and the per-packet types.
 * Included once, by hayate_xdp.bpf.c. */
#ifndef HAYATE_BPF_XDP_MAPS_H
#define HAYATE_BPF_XDP_MAPS_H

#include <linux/bpf.h>
#include <linux/if_ether.h>

#include <bpf/bpf_helpers.h>

#include "xdp_shared.h"

#define DNS_HEADER 12
#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_CD 0x0010
#define DNS_TYPE_OPT 41
#define OPT_RR_SIZE 11 /* root owner, type, class, TTL, RDLENGTH (RFC 6891 §6.1.2) */
#define REPLY_TTL 64

/* Sizes below are set by the loader before load (bpf_map__set_max_entries). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct hayate_xdp_key);
  __type(value, struct hayate_xdp_answer);
  __uint(max_entries, 1024);
} hot_answers SEC(".maps");

/* Hits per hot-answer entry (by its slot): answers sent here never reach the daemon's own
 * per-question counters, so the publisher reads these to keep a hot entry hot. */
struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __type(key, __u32);
  __type(value, __u64);
  __uint(max_entries, 1024);
} hot_hits SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, __u32);
  __type(value, struct hayate_xdp_config);
  __uint(max_entries, 1);
} xdp_config SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __type(key, __u32);
  __type(value, __u64);
  __uint(max_entries, HAYATE_XDP_COUNTERS);
} counters SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
  __type(key, struct hayate_xdp_prefix);
  __type(value, struct hayate_xdp_bucket);
  __uint(max_entries, 65536);
} rate_buckets SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __type(key, struct hayate_xdp_lpm_key);
  __type(value, __u8);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 1024);
} allow_list SEC(".maps");

/* The endpoints the daemon listens on: a query to another address or port of the host is not the
 * daemon's to answer or to drop (unless any_destination: it listens on wildcards, all ports). */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __type(key, struct hayate_xdp_endpoint);
  __type(value, __u8);
  __uint(max_entries, HAYATE_XDP_MAX_LOCAL_ADDRESSES);
} local_endpoints SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_LPM_TRIE);
  __type(key, struct hayate_xdp_lpm_key);
  __type(value, __u8);
  __uint(map_flags, BPF_F_NO_PREALLOC);
  __uint(max_entries, 1024);
} block_list SEC(".maps");

/* The query's name is read and lowercased here rather than on the 512-octet BPF stack. */
struct scratch {
  __u8 qname[256];
  __u32 qname_len;
  __u32 pad;
};

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __type(key, __u32);
  __type(value, struct scratch);
  __uint(max_entries, 1);
} key_scratch SEC(".maps");

struct vlan_hdr {
  __be16 tci;
  __be16 proto;
};

/* What the layers below DNS told us, kept for the reply. */
struct packet {
  __u32 l3_off;     /* IP header */
  __u32 ip_opt_len; /* IPv4 options octets (dropped from the reply) */
  __u32 dns_off;    /* DNS message */
  __u32 dns_len;    /* from the UDP length */
  __u8 is_v6;
  __u8 has_vlan;
  __u8 tos;
  __u8 pad;
  __be16 vlan_tci;
  __be16 l3_proto;
  __be16 sport;
  __be16 dport;
  __u8 mac_dst[ETH_ALEN];
  __u8 mac_src[ETH_ALEN];
  /* IPv4 as ::ffff:a.b.c.d. Aligned: the checksum reads them in 8-octet words (the verifier
   * wants stack access aligned). */
  struct hayate_xdp_prefix src __attribute__((aligned(8)));
  struct hayate_xdp_prefix dst __attribute__((aligned(8)));
};

/* What the DNS parse found. */
struct question {
  __u32 qname_len; /* octets, root label included */
  __u32 end_off;   /* past the question (and the OPT RR when present), from dns_off */
  __u32 sum;       /* RFC 1071 sum of the question octets at their offsets in the message */
  __u16 id;        /* raw, network order */
  __u16 flags;     /* host order */
  __u16 udp_size;  /* EDNS payload size, 0 without EDNS */
  __u8 shape;
};

enum verdict { V_OK, V_NOT_DNS, V_OTHER };

#endif
