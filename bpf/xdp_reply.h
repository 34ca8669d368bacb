/* The in-place reply of the XDP program: headers swapped and rebuilt, body copied, checksums. */
#ifndef HAYATE_BPF_XDP_REPLY_H
#define HAYATE_BPF_XDP_REPLY_H

#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>

#include "xdp_checksum.h"
#include "xdp_maps.h"

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

  const __u16 addresses = address_sum(pkt->src.addr, pkt->dst.addr, pkt->is_v6);
  __u64 pseudo = addresses; /* the UDP pseudo-header sum (RFC 768, RFC 8200 §8.1) */
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
    __builtin_memcpy(&ip->saddr, &pkt->dst.addr[12], 4);
    __builtin_memcpy(&ip->daddr, &pkt->src.addr[12], 4);
    /* From the values just written rather than read back from the packet (a load right after
     * narrower stores to the same octets stalls). */
    __u64 s = (0x4500 | pkt->tos) + sizeof(struct iphdr) + udp_len + 0x4000 +
              ((REPLY_TTL << 8) | IPPROTO_UDP) + addresses;
    ip->check = bpf_htons(~fold(s) & 0xffff);
  }
  pseudo += IPPROTO_UDP + udp_len;

  struct udphdr* udp = l3hdr + l3;
  if ((void*)(udp + 1) > data_end) return -2;
  udp->source = pkt->dport;
  udp->dest = pkt->sport;
  udp->len = bpf_htons(udp_len);

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
  __u64 sum = pseudo + bpf_ntohs(pkt->dport) + bpf_ntohs(pkt->sport) + udp_len;
  sum += bpf_ntohs(q->id) + flags + 1 + rh->ancount + rh->nscount + rh->arcount;
  sum += q->sum;
  __u16 body_sum = rh->body_csum;
  if (q->qname_len & 1) body_sum = swap16(body_sum);
  sum += body_sum;
  __u16 check = ~fold(sum) & 0xffff;
  udp->check = bpf_htons(check == 0 ? 0xffff : check); /* RFC 768: 0 means "none" */
  return 0;
}

#endif
