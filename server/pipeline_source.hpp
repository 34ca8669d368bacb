// The DNS64 stage's source of answers inside the pipeline: our zones first, then the resolver
// (its caches at once, else a resolution answered later), the same order QueryProcessor uses for
// a client's own question. One per client question; it keeps the serving snapshot alive.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "server/dns64_stage.hpp"
#include "server/query_handler.hpp"
#include "server/recursion_stage.hpp"
#include "server/serving_state.hpp"
#include "server/stats.hpp"

namespace hayate::server {

class PipelineSource final : public AnswerSource {
 public:
  // `view` is the client's [[view]] (ServingState::view_zones index). `scratch` holds one
  // authoritative answer at a time while it is parsed back; `recursion` may
  // be null (authoritative only). `recursion_desired`: the client's RD (RD=0 and a cache miss
  // give REFUSED, as for the client's own question).
  PipelineSource(std::shared_ptr<const ServingState> state, std::size_t view,
                 RecursionStage* recursion, const ClientInfo& client, bool recursion_desired,
                 WorkerStats& stats, std::span<std::uint8_t> scratch)
      : state_(std::move(state)),
        view_(view),
        recursion_(recursion),
        client_(client),
        recursion_desired_(recursion_desired),
        stats_(stats),
        scratch_(scratch) {}

  void ask(const zone::Name& qname, std::uint16_t qtype, Done done) override;

  const ServingState& state() const { return *state_; }

 private:
  bool answer_from_zones(const zone::Name& qname, std::uint16_t qtype, Done& done);

  std::shared_ptr<const ServingState> state_;
  std::size_t view_;  // the client's [[view]]: whose zones answer
  RecursionStage* recursion_;
  ClientInfo client_;
  bool recursion_desired_;
  WorkerStats& stats_;
  std::span<std::uint8_t> scratch_;
};

}  // namespace hayate::server
