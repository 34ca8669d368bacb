/* RFC 1071 one's-complement sums for the XDP program: octets at even offsets are the high halves
 * of the 16-bit words. */
#ifndef HAYATE_BPF_XDP_CHECKSUM_H
#define HAYATE_BPF_XDP_CHECKSUM_H

#include <linux/types.h>

#include <bpf/bpf_helpers.h>

static __always_inline __u32 add_byte(__u32 sum, __u32 pos, __u8 b) {
  return sum + ((pos & 1) ? (__u32)b : ((__u32)b << 8));
}

static __always_inline __u16 fold(__u64 sum) {
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  return (__u16)sum;
}

#endif
