// The query pipeline of one worker: parse → checks (opcode, class, EDNS version) → answer cache →
// authoritative answer → render (EDNS, truncation) → cache store; names in none of our zones go
// to the resolver when one is set (local zones answer first, like Unbound's local zones). Clients
// with a DNS64 / AAAA filter policy get the questions it rewrites answered through the DNS64
// stage (server/dns64_stage), which asks the same sources. No sockets here.
#pragma once

#include <array>
#include <memory>

#include "server/answer_cache.hpp"
#include "server/client_view.hpp"
#include "server/dns64_policy.hpp"
#include "server/hot_questions.hpp"
#include "server/query_handler.hpp"
#include "server/recursion_stage.hpp"
#include "server/serving_state.hpp"
#include "server/staged_answer.hpp"
#include "server/stats.hpp"
#include "zone/message_parser.hpp"
#include "zone/message_renderer.hpp"

namespace hayate::server {

class QueryProcessor final : public QueryHandler {
 public:
  QueryProcessor(std::shared_ptr<const ServingState> state, WorkerStats& stats);

  // Installs a new snapshot (call on the worker's thread). The answer cache starts afresh.
  void set_state(std::shared_ptr<const ServingState> state);
  const ServingState& state() const { return *state_; }
  // The resolver for names outside our zones (null: REFUSED, as an authoritative-only server).
  // Must outlive the processor's pending answers; call on the worker's thread.
  void set_recursion(RecursionStage* stage) { recursion_ = stage; }
  // Counts UDP questions answered with what the answer cache keeps (null: no counting), for the
  // XDP publisher. Call on the worker's thread before it answers.
  void set_hot_questions(HotQuestions* hot) { hot_ = hot; }

  using QueryHandler::handle;
  void handle(std::span<const std::uint8_t> query, const ClientInfo& client, EmitResponse emit,
              DeferResponse defer) override;
  void prefetch(std::span<const std::uint8_t> query) override;

 private:
  static std::uint8_t cache_shape(const zone::ParsedQuery& query, const ClientInfo& client);
  static void patch_cached(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                           std::span<std::uint8_t> response);
  // `ecs`: the EDNS Client Subnet option to echo (RFC 7871 §7.2.1), SCOPE included; null: none.
  void start_response(zone::MessageRenderer& renderer, const zone::ParsedQuery& query,
                      std::span<const std::uint8_t> packet,
                      const zone::ClientSubnet* ecs = nullptr);
  std::size_t end_response(zone::MessageRenderer& renderer, const zone::ParsedQuery& query,
                           const zone::ClientSubnet* ecs = nullptr);
  void finish_response(std::span<const std::uint8_t> response, EmitResponse emit);

  void answer_malformed(const zone::ParsedQuery& query, zone::ParseError error, EmitResponse emit);
  void answer_error(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                    std::uint16_t full_rcode, std::size_t limit, EmitResponse emit);
  void answer_chaos(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                    std::size_t limit, EmitResponse emit);
  std::size_t answer_ixfr_over_udp(zone::MessageRenderer& renderer, const zone::ParsedQuery& query,
                                   const zone::ZoneSet& zones, const zone::ClientSubnet* ecs);
  // `key`: where the answer may be kept in the answer cache (null: nowhere, as for ECS queries).
  void answer_recursively(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                          const ClientInfo& client, std::size_t limit, const AnswerKey* key,
                          EmitResponse emit, DeferResponse defer);
  // Where and when a resolver answer is being kept (the epoch read before the caches were).
  struct KeepAnswer {
    const AnswerKey& key;
    CacheEpoch epoch;
  };
  void send_recursive(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                      std::size_t limit, const RecursiveAnswer& answer, EmitResponse emit,
                      const KeepAnswer* keep = nullptr);
  // Keeps a rendered resolver answer for `reuse_seconds`, its TTLs to be aged on each use.
  void keep_aged(const AnswerKey& key, std::span<const std::uint8_t> response, CacheEpoch epoch,
                 std::uint32_t reuse_seconds);
  void answer_through_policy(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                             const ClientInfo& client, const ClientView& view,
                             const Dns64Policy& policy, std::uint8_t policy_index,
                             std::size_t limit, EmitResponse emit, DeferResponse defer);
  // `ecs`: the ECS option to echo, as for start_response; null: none.
  std::size_t render_staged(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                            std::size_t limit, const StagedAnswer& answer,
                            const zone::ClientSubnet* ecs = nullptr);
  void count_hot(const AnswerKey& key, const zone::ParsedQuery& query, const ClientInfo& client);
  // What answered from the answer cache: nothing, our zones, or the resolver's cache (an answer
  // kept with aging, sent only to clients the resolver serves).
  enum class CacheHit { kMiss, kZones, kResolver };
  CacheHit emit_cached(const AnswerKey& key, const zone::ParsedQuery& query,
                       std::span<const std::uint8_t> packet, const ClientInfo& client,
                       std::size_t limit, EmitResponse emit);
  void answer_transfer(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                       const ClientInfo& client, EmitResponse emit);

  std::shared_ptr<const ServingState> state_;
  WorkerStats& stats_;
  AnswerCache cache_;
  RecursionStage* recursion_ = nullptr;
  HotQuestions* hot_ = nullptr;
  std::vector<std::uint16_t> ttl_offsets_;  // keep_aged's, reused
  std::uint32_t expired_uses_ = 0;  // uses of the kept resolver answer this query found expired
  std::array<std::uint8_t, 65535> buffer_;   // one response at a time: a worker is one thread
  std::array<std::uint8_t, 65535> scratch_;  // a zone's answer read back by the DNS64 stage
};

}  // namespace hayate::server
