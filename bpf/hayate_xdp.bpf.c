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

#include <bpf/bpf_helpers.h>

#include "xdp_packet.h"

SEC("xdp")
int hayate_xdp(struct xdp_md* ctx) {
  return hayate_xdp_packet(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
