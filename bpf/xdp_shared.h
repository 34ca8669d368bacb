/* Map keys, values and numbers shared by the XDP program (bpf/hayate_xdp.bpf.c) and the C++ side
 * (loader, publisher, tests). Plain C with fixed-width fields so both compilers lay them out the
 * same; the static asserts at the end pin the sizes. Multi-byte fields that come from the wire
 * (ports, header words) are in network byte order where noted, everything else in host order. */
#ifndef HAYATE_BPF_XDP_SHARED_H
#define HAYATE_BPF_XDP_SHARED_H

#include <linux/types.h>

/* Bump when a map's key or value layout changes: pinned maps live under a directory named after
 * it, so an upgraded daemon never reuses maps of another shape (DESIGN.md, XDP fast path). */
#define HAYATE_XDP_ABI 2

#define HAYATE_XDP_MAX_QNAME 255 /* RFC 1035 §3.1: a name is at most 255 octets */
/* The rendered response after the question. An answer never leaves in more than one Ethernet
 * frame (XDP_TX cannot fragment), so 1500 - 40 (IPv6) - 8 (UDP) - 12 (DNS header) - 5 (the
 * shortest question) bounds it. */
#define HAYATE_XDP_MAX_BODY 1435
#define HAYATE_XDP_MAX_PORTS 4
#define HAYATE_XDP_MAX_LOCAL_ADDRESSES 64

/* Key shape bits: the same as server::AnswerKey (answer_cache.hpp). */
#define HAYATE_XDP_SHAPE_EDNS 1
#define HAYATE_XDP_SHAPE_DO 2

/* The hot-answer map key: a hash of the lowercased QNAME (hayate_xdp_hash_word), its length in
 * 8-octet words, QTYPE and QCLASS in host order, the EDNS shape. Small, so the map hashes 16
 * octets rather than 256; the name itself is in the value and compared on a hit, so a hash
 * collision is a miss, never a wrong answer (and the publisher never publishes two questions
 * with one key). */
struct hayate_xdp_key {
  __u64 name_hash;
  __u16 qtype;
  __u16 qclass;
  __u8 shape;
  __u8 name_words; /* (length + 7) / 8 */
  __u8 pad[2];
};

/* One round of the name hash over the name's next 8 octets (a little-endian load, the octets
 * past the name's end zero). Both sides start from HAYATE_XDP_HASH_SEED. */
#define HAYATE_XDP_HASH_SEED 0x6861796174650001ULL
static inline __u64 hayate_xdp_hash_word(__u64 hash, __u64 word) {
  hash ^= word;
  hash *= 0x9e3779b97f4a7c15ULL;
  return hash ^ (hash >> 29);
}

/* A rendered response minus its ID, RD/CD bits and question (taken from the query). */
struct hayate_xdp_answer {
  __u64 expires_ns; /* CLOCK_MONOTONIC (coarse: a tick late at most); past it, a miss */
  __u16 flags;      /* header flags word, RD and CD clear; host order */
  __u16 ancount;    /* host order */
  __u16 nscount;
  __u16 arcount;
  __u16 body_len;  /* octets of body[] in use */
  __u16 body_csum; /* folded one's-complement sum of body[] as 16-bit words from an even
                      offset (RFC 1071), host order; the program swaps it for an odd offset */
  __u32 slot;      /* this entry's counter in hot_hits (the publisher's hit feedback) */
  __u8 qname[256]; /* the lowercased QNAME, zero-padded: compared with the query's on a hit */
  __u8 body[HAYATE_XDP_MAX_BODY + 5]; /* + 5: a multiple of 8 for the value size */
};

/* The per-action counters (a per-CPU array indexed by these). */
enum hayate_xdp_counter {
  HAYATE_XDP_HIT = 0,      /* answered in the kernel (XDP_TX) */
  HAYATE_XDP_MISS,         /* a plain query we could have answered, not in the map: PASS */
  HAYATE_XDP_PASS_NOT_DNS, /* not UDP to our ports, fragments, other protocols: PASS */
  HAYATE_XDP_PASS_OTHER,   /* DNS we do not answer here (options, opcodes, malformed): PASS */
  HAYATE_XDP_PASS_TOO_BIG, /* in the map but larger than the client or the link allows: PASS */
  HAYATE_XDP_DROP_RATE,    /* over its prefix's budget: DROP */
  HAYATE_XDP_DROP_BLOCK,   /* source in the block list: DROP */
  HAYATE_XDP_TC_SLIP,      /* over budget, but every Nth gets TC=1 (RRL slip): XDP_TX */
  HAYATE_XDP_DROP_ERROR,   /* a reply half built when a helper failed (should stay 0): DROP */
  HAYATE_XDP_COUNTERS
};

/* Runtime settings (array map, one element). Ports in network byte order. */
struct hayate_xdp_config {
  __u16 ports[HAYATE_XDP_MAX_PORTS]; /* 0: unused slot */
  __u64 interval_ns;  /* 1e9 / queries per second per source prefix (per CPU); 0: no limit */
  __u64 tolerance_ns; /* interval_ns * (burst - 1): how far ahead the bucket may run */
  __u32 slip;         /* every Nth over-budget query gets TC=1; 0: none, 1: all */
  __u16 mtu;          /* largest IP packet a reply may be */
  __u8 v4_prefix;     /* rate-limit prefix lengths */
  __u8 v6_prefix;
  __u8 allow_enabled;   /* 0: skip the allow-list lookup (empty list) */
  __u8 block_enabled;   /* 0: skip the block-list lookup */
  __u8 any_destination; /* 1: every local address and port in ports is ours; 0: only the
                           endpoints in local_endpoints */
  __u8 pad[5];
};

/* Rate-limit bucket key: the source masked to its prefix (IPv4 as ::ffff:a.b.c.d). */
struct hayate_xdp_prefix {
  __u8 addr[16];
};

/* GCRA (the virtual-scheduling form of a token bucket): a query is within budget when the
 * theoretical arrival time is at most (burst - 1)/rate seconds ahead of now. */
struct hayate_xdp_bucket {
  __u64 tat_ns; /* theoretical arrival time of the next query */
  __u32 over;   /* over-budget queries so far, for the slip count */
  __u32 pad;
};

/* A listening endpoint (local_endpoints map): the address (IPv4 as ::ffff:a.b.c.d; all zero
 * but the ::ffff: part for 0.0.0.0, all zero for ::) and the port in network byte order. */
struct hayate_xdp_endpoint {
  __u8 addr[16];
  __u16 port;
  __u16 pad;
};

/* Allow- and block-list LPM trie key (BPF_MAP_TYPE_LPM_TRIE): IPv4 as ::ffff:a.b.c.d/96+n. */
struct hayate_xdp_lpm_key {
  __u32 prefixlen;
  __u8 addr[16];
};

#ifdef __cplusplus
static_assert(sizeof(struct hayate_xdp_key) == 16, "key layout");
static_assert(sizeof(struct hayate_xdp_answer) == 24 + 256 + HAYATE_XDP_MAX_BODY + 5,
              "value layout");
static_assert(sizeof(struct hayate_xdp_config) == 40, "config layout");
#endif

#endif
