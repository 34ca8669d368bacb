/* XDP_PASS and nothing else. For tests and benchmarks over veth pairs: a veth end only takes
 * frames another end sent with XDP_TX when it has an XDP program of its own (native mode). */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md* ctx) {
  return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
