/* Flood drop for the XDP program: per-prefix budgets (GCRA), the allow and block lists. */
#ifndef HAYATE_BPF_XDP_LIMITS_H
#define HAYATE_BPF_XDP_LIMITS_H

#include "xdp_maps.h"

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
  /* The coarse clock (a tick old at most) costs a third of a drop less than bpf_ktime_get_ns on
   * this VM (kvm-clock); the loader makes the tolerance at least a tick, so a budget is never
   * spent by the clock standing still (xdp_program.cpp, configure). */
  __u64 now = bpf_ktime_get_coarse_ns();
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

#endif
