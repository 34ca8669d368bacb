/* hayate's XDP fast path: answers hot DNS questions in the kernel, drops floods early.
 *
 * Every packet that is not a plain UDP DNS query to one of our ports, in a shape this program
 * fully understands, goes to the kernel stack (XDP_PASS) and so to the daemon. A hit in the
 * hot-answer map (filled by the daemon's publisher with answers that depend on nothing but the
 * question) is answered in place: the query's ID, RD/CD bits and question bytes (0x20 case kept)
 * with the stored response after them, addresses and ports swapped, checksums fixed, XDP_TX.
 * The daemon only publishes what it would send itself, so the reply is byte-identical to its.
 *
 * Built with clang -target bpf -O2 -g; the loops are bounded so the verifier accepts them. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
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
  struct hayate_xdp_prefix src; /* IPv4 as ::ffff:a.b.c.d */
  struct hayate_xdp_prefix dst;
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

static __always_inline void count(__u32 which) {
  __u64* c = bpf_map_lookup_elem(&counters, &which);
  if (c) *c += 1;
}

static __always_inline __u32 add_byte(__u32 sum, __u32 pos, __u8 b) {
  return sum + ((pos & 1) ? (__u32)b : ((__u32)b << 8));
}

static __always_inline __u16 fold(__u64 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)sum;
}

static __always_inline int port_matches(const struct hayate_xdp_config* cfg, __be16 port) {
#pragma unroll
  for (int i = 0; i < HAYATE_XDP_MAX_PORTS; i++) {
    if (cfg->ports[i] != 0 && cfg->ports[i] == port) return 1;
  }
  return 0;
}

/* The exact endpoint, else the wildcard address of its family with the same port. */
static __always_inline int listening(const struct packet* pkt, __be16 port) {
  struct hayate_xdp_endpoint e = {.port = port};
  __builtin_memcpy(e.addr, pkt->dst.addr, 16);
  if (bpf_map_lookup_elem(&local_endpoints, &e)) return 1;
  __builtin_memset(e.addr, 0, 16);
  if (!pkt->is_v6) e.addr[10] = e.addr[11] = 0xff;
  return bpf_map_lookup_elem(&local_endpoints, &e) != NULL;
}

/* Ethernet (one 802.1Q tag), IPv4 (options skipped, no fragments) or IPv6 (no extension
 * headers), UDP to one of our ports. */
static __always_inline enum verdict parse_transport(struct xdp_md* ctx,
                                                    const struct hayate_xdp_config* cfg,
                                                    struct packet* pkt) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > data_end) return V_NOT_DNS;
  if (eth->h_dest[0] & 1) return V_NOT_DNS; /* multicast or broadcast: not a reply to send */
  __builtin_memcpy(pkt->mac_dst, eth->h_dest, ETH_ALEN);
  __builtin_memcpy(pkt->mac_src, eth->h_source, ETH_ALEN);
  __be16 proto = eth->h_proto;
  __u32 off = sizeof(struct ethhdr);
  if (proto == bpf_htons(ETH_P_8021Q)) {
    struct vlan_hdr* vlan = data + off;
    if ((void*)(vlan + 1) > data_end) return V_NOT_DNS;
    pkt->has_vlan = 1;
    pkt->vlan_tci = vlan->tci;
    proto = vlan->proto;
    off += sizeof(struct vlan_hdr);
  }
  pkt->l3_off = off;
  pkt->l3_proto = proto;
  __u32 udp_off;
  __u32 l4_len;
  if (proto == bpf_htons(ETH_P_IP)) {
    struct iphdr* ip = data + off;
    if ((void*)(ip + 1) > data_end) return V_NOT_DNS;
    if (ip->version != 4 || ip->ihl < 5 || ip->protocol != IPPROTO_UDP) return V_NOT_DNS;
    if (ip->frag_off & bpf_htons(0x3fff)) return V_NOT_DNS; /* MF or an offset: a fragment */
    __u32 hlen = ip->ihl * 4;
    __u32 total = bpf_ntohs(ip->tot_len);
    if (total < hlen + sizeof(struct udphdr) || data + off + total > data_end) return V_NOT_DNS;
    __u8* daddr = (__u8*)&ip->daddr;
    if (daddr[0] >= 224) return V_NOT_DNS; /* multicast, broadcast, reserved */
    pkt->ip_opt_len = hlen - sizeof(struct iphdr);
    pkt->tos = ip->tos;
    pkt->src.addr[10] = 0xff;
    pkt->src.addr[11] = 0xff;
    __builtin_memcpy(&pkt->src.addr[12], &ip->saddr, 4);
    pkt->dst.addr[10] = 0xff;
    pkt->dst.addr[11] = 0xff;
    __builtin_memcpy(&pkt->dst.addr[12], &ip->daddr, 4);
    udp_off = off + hlen;
    l4_len = total - hlen;
  } else if (proto == bpf_htons(ETH_P_IPV6)) {
    struct ipv6hdr* ip6 = data + off;
    if ((void*)(ip6 + 1) > data_end) return V_NOT_DNS;
    if (ip6->version != 6 || ip6->nexthdr != IPPROTO_UDP) return V_NOT_DNS;
    if (ip6->daddr.in6_u.u6_addr8[0] == 0xff) return V_NOT_DNS; /* multicast */
    l4_len = bpf_ntohs(ip6->payload_len);
    if (l4_len < sizeof(struct udphdr) || (void*)(ip6 + 1) + l4_len > data_end) return V_NOT_DNS;
    pkt->is_v6 = 1;
    pkt->tos = (ip6->priority << 4) | (ip6->flow_lbl[0] >> 4);
    __builtin_memcpy(pkt->src.addr, &ip6->saddr, 16);
    __builtin_memcpy(pkt->dst.addr, &ip6->daddr, 16);
    udp_off = off + sizeof(struct ipv6hdr);
  } else {
    return V_NOT_DNS;
  }
  struct udphdr* udp = data + udp_off;
  if ((void*)(udp + 1) > data_end) return V_NOT_DNS;
  if (!port_matches(cfg, udp->dest)) return V_NOT_DNS;
  if (!cfg->any_destination && !listening(pkt, udp->dest)) return V_NOT_DNS;
  pkt->sport = udp->source;
  pkt->dport = udp->dest;
  __u32 udp_len = bpf_ntohs(udp->len);
  if (udp_len < sizeof(struct udphdr) || udp_len > l4_len) return V_OTHER;
  if (pkt->is_v6 && udp->check == 0) return V_OTHER; /* RFC 8200 §8.1: mandatory on IPv6 */
  pkt->dns_off = udp_off + sizeof(struct udphdr);
  pkt->dns_len = udp_len - sizeof(struct udphdr);
  return V_OK;
}

/* The length of the name at the start of scratch->qname (root label included), or 0 when it is
 * longer than `avail` octets, uses compression (0xc0) or an extended label type. One round per
 * label, so the verifier walks each round once. */
static __always_inline __u32 qname_length(const struct scratch* key, __u32 avail) {
  __u32 pos = 0;
#pragma clang loop unroll(disable)
  for (__u32 labels = 0; labels < 128; labels++) {
    if (pos >= avail) return 0;
    __u32 at = pos;
    asm volatile("%0 &= 0xff" : "+r"(at)); /* a bound the verifier sees (clang drops a C mask) */
    __u8 c = key->qname[at];
    if (c == 0) return pos + 1;
    if (c > 63) return 0;
    pos += c + 1;
    if (pos > HAYATE_XDP_MAX_QNAME) return 0;
  }
  return 0;
}

/* Eight ASCII letters at a time to lowercase (label length octets are below 64, never letters). */
static __always_inline __u64 lower8(__u64 x) {
  __u64 heptets = x & 0x7f7f7f7f7f7f7f7fULL;
  __u64 above_z = heptets + 0x2525252525252525ULL; /* bit 7 set when > 'Z' */
  __u64 from_a = heptets + 0x3f3f3f3f3f3f3f3fULL;  /* bit 7 set when >= 'A' */
  __u64 upper = ~x & (from_a ^ above_z) & 0x8080808080808080ULL;
  return x | (upper >> 2);
}

/* Over the name's 8-octet words only: zeroes the octets past `len`, lowercases the name, hashes
 * it into the key, and returns the RFC 1071 sum of its octets as sent, as 16-bit big-endian
 * words from the name's start (an even offset in the message: right after the 12-octet
 * header). */
static __always_inline __u32 finish_qname(struct scratch* scratch, __u32 len,
                                          struct hayate_xdp_key* key) {
  __u64* words = (__u64*)scratch->qname;
  __u32 sum = 0;
  __u64 hash = HAYATE_XDP_HASH_SEED;
#pragma clang loop unroll(disable)
  for (__u32 w = 0; w < 32; w++) {
    __s32 keep = (__s32)len - (__s32)(w * 8);
    if (keep <= 0) break;
    __u64 x = words[w];
    if (keep < 8) {
      x &= (1ULL << (keep * 8)) - 1; /* the wire's first octets are the low ones here */
    }
    /* Little-endian lanes: octets 0, 2, 4, 6 are the high halves of the wire's words. */
    __u64 lanes = ((x & 0x00ff00ff00ff00ffULL) << 8) + ((x >> 8) & 0x00ff00ff00ff00ffULL);
    sum += (__u32)(lanes & 0xffff) + (__u32)((lanes >> 16) & 0xffff) +
           (__u32)((lanes >> 32) & 0xffff) + (__u32)(lanes >> 48);
    x = lower8(x);
    words[w] = x;
    hash = hayate_xdp_hash_word(hash, x);
  }
  key->name_hash = hash;
  key->name_words = (__u8)((len + 7) / 8);
  return sum;
}

/* The entry is for the query's name (the key holds only a hash of it). */
static __always_inline int same_name(const struct scratch* scratch,
                                     const struct hayate_xdp_answer* a, __u32 words) {
  const __u64* mine = (const __u64*)scratch->qname;
  const __u64* theirs = (const __u64*)a->qname;
#pragma clang loop unroll(disable)
  for (__u32 w = 0; w < 32; w++) {
    if (w >= words) break;
    if (mine[w] != theirs[w]) return 0;
  }
  return 1;
}

/* A standard query (QR=0, OPCODE=0, QDCOUNT=1, no answer or authority records, at most an OPT
 * record in the additional section, EDNS version 0 without options), the QNAME lowercased into
 * the key as it is read. Anything else is for user space. */
static __always_inline enum verdict parse_dns(struct xdp_md* ctx, const struct packet* pkt,
                                              struct scratch* scratch, struct hayate_xdp_key* key,
                                              struct question* q) {
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;
  __u8* dns = data + pkt->dns_off;
  if ((void*)(dns + DNS_HEADER) > data_end || pkt->dns_len < DNS_HEADER + 5) return V_OTHER;
  __u16* words = (__u16*)dns;
  q->id = words[0];
  q->flags = bpf_ntohs(words[1]);
  if (q->flags & (DNS_FLAG_QR | 0x7800)) return V_OTHER; /* a response, or not OPCODE QUERY */
  __u16 arcount = bpf_ntohs(words[5]);
  if (words[2] != bpf_htons(1) || words[3] != 0 || words[4] != 0 || arcount > 1) return V_OTHER;

  __u8* qname = dns + DNS_HEADER;
  /* Through memory, so that clang cannot fold the checks away: the verifier needs them on the
   * very register the helper gets (1 to 255 octets). */
  scratch->qname_len = pkt->dns_len - DNS_HEADER;
  __u32 avail = *(volatile __u32*)&scratch->qname_len;
  if (avail > HAYATE_XDP_MAX_QNAME) avail = HAYATE_XDP_MAX_QNAME;
  if (avail == 0) return V_OTHER;
  if (bpf_xdp_load_bytes(ctx, pkt->dns_off + DNS_HEADER, scratch->qname, avail)) return V_OTHER;
  /* Through memory: the verifier then knows only the bounds checked below, not one exact length
   * per loop round, and checks the rest of the program once instead of 128 times. */
  scratch->qname_len = qname_length(scratch, avail);
  __u32 len = *(volatile __u32*)&scratch->qname_len;
  if (len == 0 || len > HAYATE_XDP_MAX_QNAME) return V_OTHER;
  __u32 sum = finish_qname(scratch, len, key);
  __u8* fixed = qname + len;
  if ((void*)(fixed + 4) > data_end) return V_OTHER;
  key->qtype = ((__u16)fixed[0] << 8) | fixed[1];
  key->qclass = ((__u16)fixed[2] << 8) | fixed[3];
#pragma unroll
  for (__u32 k = 0; k < 4; k++)
    sum = add_byte(sum, len + k, fixed[k]);
  __u32 end = DNS_HEADER + len + 4;
  if (arcount == 1) {
    __u8* opt = fixed + 4;
    if ((void*)(opt + OPT_RR_SIZE) > data_end) return V_OTHER;
    if (opt[0] != 0 || opt[1] != 0 || opt[2] != DNS_TYPE_OPT) return V_OTHER;
    if (opt[6] != 0) return V_OTHER;                 /* EDNS version: BADVERS is user space's */
    if (opt[9] != 0 || opt[10] != 0) return V_OTHER; /* options (ECS, cookies, ...) */
    q->udp_size = ((__u16)opt[3] << 8) | opt[4];
    if (q->udp_size < 512) q->udp_size = 512; /* RFC 6891 §6.2.5 */
    key->shape = HAYATE_XDP_SHAPE_EDNS | ((opt[7] & 0x80) ? HAYATE_XDP_SHAPE_DO : 0);
    end += OPT_RR_SIZE;
  }
  if (end != pkt->dns_len) return V_OTHER; /* trailing octets or a short message */
  q->qname_len = len;
  q->end_off = end;
  q->sum = sum;
  return V_OK;
}

/* The source prefix's budget (GCRA). Returns 0 within budget, 1 over it, 2 over it and this one
 * gets the TC=1 slip reply. */
static __always_inline int over_budget(const struct hayate_xdp_config* cfg,
                                       const struct packet* pkt) {
  if (cfg->interval_ns == 0) return 0;
  struct hayate_xdp_prefix prefix = pkt->src;
  __u32 bits = pkt->is_v6 ? cfg->v6_prefix : 96 + cfg->v4_prefix;
#pragma unroll
  for (int i = 0; i < 16; i++) {
    int keep = (int)bits - i * 8;
    __u8 mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (__u8)(0xff << (8 - keep));
    prefix.addr[i] &= mask;
  }
  __u64 now = bpf_ktime_get_ns();
  struct hayate_xdp_bucket* bucket = bpf_map_lookup_elem(&rate_buckets, &prefix);
  if (!bucket) {
    struct hayate_xdp_bucket fresh = {.tat_ns = now + cfg->interval_ns};
    bpf_map_update_elem(&rate_buckets, &prefix, &fresh, BPF_ANY);
    return 0;
  }
  __u64 tat = bucket->tat_ns > now ? bucket->tat_ns : now;
  if (tat - now <= cfg->tolerance_ns) {
    bucket->tat_ns = tat + cfg->interval_ns;
    return 0;
  }
  if (cfg->allow_enabled) {
    struct hayate_xdp_lpm_key k = {.prefixlen = 128};
    __builtin_memcpy(k.addr, pkt->src.addr, 16);
    if (bpf_map_lookup_elem(&allow_list, &k)) return 0; /* never limited */
  }
  bucket->over += 1;
  return (cfg->slip != 0 && bucket->over % cfg->slip == 0) ? 2 : 1;
}

static __always_inline int blocked(const struct hayate_xdp_config* cfg, const struct packet* pkt) {
  if (!cfg->block_enabled) return 0;
  struct hayate_xdp_lpm_key k = {.prefixlen = 128};
  __builtin_memcpy(k.addr, pkt->src.addr, 16);
  return bpf_map_lookup_elem(&block_list, &k) != NULL;
}

/* The reply's DNS header fields besides the ID and question count. */
struct reply_header {
  __u16 flags; /* host order, RD and CD still to be copied from the query */
  __u16 ancount;
  __u16 nscount;
  __u16 arcount;
  __u16 body_len;
  __u16 body_csum;
};

/* Rewrites the packet into the reply: Ethernet (and VLAN tag) with the MACs swapped, a fresh IP
 * header (IPv4 options dropped) with the addresses swapped, UDP with the ports swapped, the DNS
 * header, the query's question where it was, then `body`. Returns 0; -1 if the frame could not
 * be resized (the query is intact); -2 if the packet was half rewritten (never seen: the bounds
 * checks after resizing are for the verifier). */
static __always_inline int build_reply(struct xdp_md* ctx, const struct packet* pkt,
                                       const struct question* q, const struct reply_header* rh,
                                       const __u8* body) {
  __u32 l2 = pkt->l3_off;
  __u32 l3 = pkt->is_v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
  __u32 dns_len = DNS_HEADER + q->qname_len + 4 + rh->body_len;
  __u32 udp_len = sizeof(struct udphdr) + dns_len;
  if (pkt->ip_opt_len) {
    /* Drop the options' octets from the front; every header before the question is rewritten
     * below, so only the question has to stay where it is. */
    if (bpf_xdp_adjust_head(ctx, (int)pkt->ip_opt_len)) return -1;
  }
  {
    void* data = (void*)(long)ctx->data;
    void* data_end = (void*)(long)ctx->data_end;
    int delta = (int)(l2 + l3 + udp_len) - (int)(data_end - data);
    if (delta != 0 && bpf_xdp_adjust_tail(ctx, delta)) {
      /* The options' octets are still there: give them back, the query is intact again. */
      if (pkt->ip_opt_len && bpf_xdp_adjust_head(ctx, -(int)pkt->ip_opt_len)) return -2;
      return -1;
    }
  }
  void* data = (void*)(long)ctx->data;
  void* data_end = (void*)(long)ctx->data_end;

  struct ethhdr* eth = data;
  if ((void*)(eth + 1) > data_end) return -2;
  __builtin_memcpy(eth->h_dest, pkt->mac_src, ETH_ALEN);
  __builtin_memcpy(eth->h_source, pkt->mac_dst, ETH_ALEN);
  if (pkt->has_vlan) {
    struct vlan_hdr* vlan = (void*)(eth + 1);
    if ((void*)(vlan + 1) > data_end) return -2;
    eth->h_proto = bpf_htons(ETH_P_8021Q);
    vlan->tci = pkt->vlan_tci;
    vlan->proto = pkt->l3_proto;
  } else {
    eth->h_proto = pkt->l3_proto;
  }

  __u64 pseudo = 0; /* the UDP pseudo-header sum (RFC 768, RFC 8200 §8.1) */
  if (l2 > 18) return -2;
  void* l3hdr = data + l2;
  if (pkt->is_v6) {
    struct ipv6hdr* ip6 = l3hdr;
    if ((void*)(ip6 + 1) > data_end) return -2;
    ip6->version = 6;
    ip6->priority = pkt->tos >> 4;
    ip6->flow_lbl[0] = (pkt->tos & 0xf) << 4;
    ip6->flow_lbl[1] = 0;
    ip6->flow_lbl[2] = 0;
    ip6->payload_len = bpf_htons(udp_len);
    ip6->nexthdr = IPPROTO_UDP;
    ip6->hop_limit = REPLY_TTL;
    __builtin_memcpy(&ip6->saddr, pkt->dst.addr, 16);
    __builtin_memcpy(&ip6->daddr, pkt->src.addr, 16);
#pragma unroll
    for (int i = 0; i < 16; i += 2) {
      pseudo += ((__u32)pkt->src.addr[i] << 8) | pkt->src.addr[i + 1];
      pseudo += ((__u32)pkt->dst.addr[i] << 8) | pkt->dst.addr[i + 1];
    }
  } else {
    struct iphdr* ip = l3hdr;
    if ((void*)(ip + 1) > data_end) return -2;
    ip->version = 4;
    ip->ihl = 5;
    ip->tos = pkt->tos;
    ip->tot_len = bpf_htons(sizeof(struct iphdr) + udp_len);
    ip->id = 0;
    ip->frag_off = bpf_htons(0x4000); /* DF: as the kernel sends UDP with path MTU discovery */
    ip->ttl = REPLY_TTL;
    ip->protocol = IPPROTO_UDP;
    ip->check = 0;
    __builtin_memcpy(&ip->saddr, &pkt->dst.addr[12], 4);
    __builtin_memcpy(&ip->daddr, &pkt->src.addr[12], 4);
    __u16* w = (__u16*)ip;
    __u64 s = 0;
#pragma unroll
    for (int i = 0; i < 10; i++)
      s += bpf_ntohs(w[i]);
    ip->check = bpf_htons(~fold(s) & 0xffff);
#pragma unroll
    for (int i = 12; i < 16; i += 2) {
      pseudo += ((__u32)pkt->src.addr[i] << 8) | pkt->src.addr[i + 1];
      pseudo += ((__u32)pkt->dst.addr[i] << 8) | pkt->dst.addr[i + 1];
    }
  }
  pseudo += IPPROTO_UDP + udp_len;

  struct udphdr* udp = l3hdr + l3;
  if ((void*)(udp + 1) > data_end) return -2;
  udp->source = pkt->dport;
  udp->dest = pkt->sport;
  udp->len = bpf_htons(udp_len);
  udp->check = 0;

  __u16* dns = (void*)(udp + 1);
  if ((void*)(dns + 6) > data_end) return -2;
  __u16 flags = rh->flags | (q->flags & (DNS_FLAG_RD | DNS_FLAG_CD));
  dns[0] = q->id;
  dns[1] = bpf_htons(flags);
  dns[2] = bpf_htons(1);
  dns[3] = bpf_htons(rh->ancount);
  dns[4] = bpf_htons(rh->nscount);
  dns[5] = bpf_htons(rh->arcount);

  __u32 body_off = l2 + l3 + sizeof(struct udphdr) + DNS_HEADER + q->qname_len + 4;
  __u32 body_len = rh->body_len;
  if (body_len > 0) {
    if (body_len > HAYATE_XDP_MAX_BODY) return -2;
    if (bpf_xdp_store_bytes(ctx, body_off, (void*)body, body_len)) return -2;
  }

  /* The UDP checksum from parts: pseudo-header, UDP header, DNS header, the question octets
   * (summed while parsing), the body (summed by the publisher from an even offset; an odd
   * offset swaps the octets of every word, and so of the sum: RFC 1071 §2(B)). */
  __u64 sum = pseudo + bpf_ntohs(udp->source) + bpf_ntohs(udp->dest) + udp_len;
  sum += bpf_ntohs(q->id) + flags + 1 + rh->ancount + rh->nscount + rh->arcount;
  sum += q->sum;
  __u16 body_sum = rh->body_csum;
  if (q->qname_len & 1) body_sum = (__u16)((body_sum << 8) | (body_sum >> 8));
  sum += body_sum;
  __u16 check = ~fold(sum) & 0xffff;
  udp->check = bpf_htons(check == 0 ? 0xffff : check); /* RFC 768: 0 means "none" */
  return 0;
}

SEC("xdp")
int hayate_xdp(struct xdp_md* ctx) {
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

char LICENSE[] SEC("license") = "Dual BSD/GPL";
