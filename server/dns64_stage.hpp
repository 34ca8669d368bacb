// The DNS64 / AAAA filter stage (DESIGN "One query's way": on the way out, may ask the source
// for A). Decides, for one question and the client's policy, which answers to ask the source for
// and which rewrite of server/dns64_synthesis applies.
//
// The source is whatever answers the question without the stage: our zones, else the resolver
// (its caches, then the network). The stage never caches anything itself: the A sub-answer is
// cached by the resolver like any other answer, the synthesized AAAA is computed per policy.
#pragma once

#include <cstdint>
#include <functional>

#include "server/dns64_policy.hpp"
#include "server/staged_answer.hpp"
#include "zone/name.hpp"

namespace hayate::server {

class AnswerSource {
 public:
  using Done = std::function<void(StagedAnswer)>;
  virtual ~AnswerSource() = default;
  // Answers (qname, qtype, IN). `done` runs exactly once: inside this call (zones, caches) or
  // later on the same thread (the resolver).
  virtual void ask(const zone::Name& qname, std::uint16_t qtype, Done done) = 0;
};

struct Dns64Question {
  zone::Name qname;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 1;
  bool checking_disabled = false;  // CD (RFC 6147 §5.5: no synthesis)
  bool dnssec_ok = false;          // DO
};

// Whether `policy` may change the answer to this question; when not, the normal path (and the
// shared answer cache) serves it. Class IN only (RFC 6147 §5.1: DNS64 is about IN addresses).
bool dns64_applies(const Dns64Policy& policy, const zone::Name& qname, std::uint16_t qtype,
                   std::uint16_t qclass);

// Answers `question` through `policy`, asking `source` for what it needs. `policy` and `source`
// must outlive the call of `done`.
void answer_with_dns64(const Dns64Policy& policy, const Dns64Question& question,
                       AnswerSource& source, AnswerSource::Done done);

}  // namespace hayate::server
