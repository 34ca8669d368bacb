/* RFC 1071 one's-complement sums for the XDP program: octets at even offsets are the high halves
 * of the 16-bit words. */
#ifndef HAYATE_BPF_XDP_CHECKSUM_H
#define HAYATE_BPF_XDP_CHECKSUM_H

#include <linux/types.h>

#include <bpf/bpf_helpers.h>

static __always_inline __u32 add_byte(__u32 sum, __u32 pos, __u8 b) {
  return sum + ((pos & 1) ? (__u32)b : ((__u32)b << 8));
}

/* A 16-bit value's octets swapped: an RFC 1071 sum taken over words loaded in the host's
 * (little-endian) order is the swap of the sum over the wire's big-endian words (§2(B)). */
static __always_inline __u16 swap16(__u16 x) {
  return (__u16)((x << 8) | (x >> 8));
}

static __always_inline __u16 fold(__u64 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)sum;
}

/* The sum of the source and destination addresses as big-endian 16-bit words (IPv4: the last
 * four octets of each), for the IPv4 header and the UDP pseudo-header alike. Loaded 32 bits at a
 * time in host order, then swapped once. */
static __always_inline __u16 address_sum(const __u8* src, const __u8* dst, int is_v6) {
  __u64 raw = 0;
  if (is_v6) {
    const __u32* s = (const __u32*)src;
    const __u32* d = (const __u32*)dst;
#pragma unroll
    for (int i = 0; i < 4; i++)
      raw += (__u64)s[i] + d[i];
  } else {
    raw = (__u64)((const __u32*)src)[3] + ((const __u32*)dst)[3];
  }
  return swap16(fold(raw));
}

#endif
