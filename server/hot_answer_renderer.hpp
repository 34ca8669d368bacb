// Renders, for the XDP publisher, the response user space sends to a UDP query with a given
// question and EDNS shape, when that response depends on nothing but the question.
//
// It asks a QueryProcessor of its own (the very code that answers the sockets), so what goes
// into the XDP map is what user space would send: the correctness rule of DESIGN.md's XDP
// section holds by construction. "Depends on nothing but the question" is the answer cache's
// rule (authoritative, complete, untruncated answers), observed through the processor's
// hot-question hook.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "server/hot_questions.hpp"
#include "server/query_processor.hpp"
#include "server/serving_state.hpp"
#include "server/stats.hpp"

namespace hayate::server {

class HotAnswerRenderer {
 public:
  explicit HotAnswerRenderer(std::shared_ptr<const ServingState> state);

  void set_state(std::shared_ptr<const ServingState> state);

  // The response to ID 0, RD=0 and CD=0, with the question as encoded (lowercase), when it may
  // be published; nullopt when user space would answer it otherwise for other clients or
  // transports. With EDNS, rendered for the largest payload we send (udp-payload-size): the
  // XDP program passes it on when the client's own size is smaller. Also nullopt when the
  // bytes after the question depend on the question's case (a CNAME synthesized from a DNAME
  // copies the QNAME's labels, RFC 6672 §3.3): XDP keeps only the question as the client sent.
  std::optional<std::vector<std::uint8_t>> render(std::string_view encoded_question);

 private:
  std::optional<std::vector<std::uint8_t>> render_once(std::span<const std::uint8_t> query);

  std::shared_ptr<const ServingState> state_;
  WorkerStats stats_;  // not reported anywhere: these are not client queries
  HotQuestions seen_;
  QueryProcessor processor_;
  std::uint16_t payload_size_;
};

// The smallest TTL among the response's records (the OPT pseudo-record aside), or nullopt
// when it has none or cannot be read.
std::optional<std::uint32_t> minimum_ttl(std::span<const std::uint8_t> response);

}  // namespace hayate::server
