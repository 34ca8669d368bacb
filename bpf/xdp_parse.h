/* Packet parsing for the XDP program: Ethernet, IPv4/IPv6, UDP, the DNS query and its QNAME. */
#ifndef HAYATE_BPF_XDP_PARSE_H
#define HAYATE_BPF_XDP_PARSE_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>

#include "xdp_checksum.h"
#include "xdp_maps.h"

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

#endif
