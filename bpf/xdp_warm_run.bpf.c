/* For bench/xdp_bench.cpp only, never attached: hayate's XDP program (xdp_packet.h, the very
 * code of hayate_xdp.bpf.c) on a fresh copy of one frame each round, so that one
 * BPF_PROG_TEST_RUN can repeat a hit. Without the copy the program would see its own reply from
 * the second round on (a response: passed), and with repeat = 1 every run pays for the system
 * call around it (on this VM, with page-table isolation and no PCID, a TLB flush each time).
 * `warm_copy` is the copy alone, which the bench subtracts. The bench loads this object with
 * hayate's own maps (bpf_map__reuse_fd); `warm_frame` is this object's only map of its own.
 * The frame must have no IPv4 options (the copy restores the tail, not the head). */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "xdp_packet.h"

#define WARM_MAX_FRAME 512

struct warm_frame {
  __u32 len;
  __u8 data[WARM_MAX_FRAME];
};

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __type(key, __u32);
  __type(value, struct warm_frame);
  __uint(max_entries, 1);
} warm_frame SEC(".maps");

/* The packet back to the stored frame: its length, then its octets. */
static __always_inline int copy_frame(struct xdp_md* ctx) {
  __u32 zero = 0;
  const struct warm_frame* f = bpf_map_lookup_elem(&warm_frame, &zero);
  if (!f) return -1;
  __u32 len = f->len;
  if (len < ETH_HLEN || len > WARM_MAX_FRAME) return -1;
  int delta = (int)len - (int)(ctx->data_end - ctx->data);
  if (delta != 0 && bpf_xdp_adjust_tail(ctx, delta)) return -1;
  return bpf_xdp_store_bytes(ctx, 0, (void*)f->data, len) ? -1 : 0;
}

SEC("xdp")
int warm_program(struct xdp_md* ctx) {
  if (copy_frame(ctx)) return XDP_ABORTED;
  return hayate_xdp_packet(ctx);
}

SEC("xdp")
int warm_copy(struct xdp_md* ctx) {
  if (copy_frame(ctx)) return XDP_ABORTED;
  return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
