#include "server/pipeline_source.hpp"

#include "server/authoritative_answer.hpp"
#include "zone/message_renderer.hpp"
#include "zone/response_view.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {

void PipelineSource::ask(const zone::Name& qname, std::uint16_t qtype, Done done) {
  if (answer_from_zones(qname, qtype, done)) return;
  if (recursion_ == nullptr) {
    done(staged_error(zone::rcode::REFUSED, true));
    return;
  }
  if (!recursion_->allows(client_)) {
    stats_.bump(stats_.resolver_refused);
    // Not from_zones: this REFUSED is for this client, the answer cache must not give it to
    // clients the resolver serves.
    done(staged_error(zone::rcode::REFUSED, false));
    return;
  }
  RecursiveQuestion question{qname, qtype, zone::rr_class::IN, {}, std::nullopt, 0};
  if (auto cached = recursion_->from_cache(question)) {
    stats_.bump(stats_.resolver_cache_answers);
    if (cached->stale) stats_.bump(stats_.stale_answers);
    done(staged_from_recursive(*cached));
    return;
  }
  if (!recursion_desired_) {
    done(staged_error(zone::rcode::REFUSED, false));
    return;
  }
  recursion_->resolve(question, [done = std::move(done)](RecursiveAnswer answer) {
    done(staged_from_recursive(answer));
  });
}

// Renders the authoritative answer (the same code as for any client) and reads it back as RRsets.
bool PipelineSource::answer_from_zones(const zone::Name& qname, std::uint16_t qtype, Done& done) {
  const zone::ZoneSet& zones = *state_->view_zones[view_];
  const zone::Zone* zone = zones.find(qname);
  if (zone == nullptr) return false;
  zone::MessageRenderer renderer(scratch_, scratch_.size());
  zone::Header header;
  renderer.begin_response(header);
  renderer.add_question(qname.wire(), qtype, zone::rr_class::IN);
  AuthoritativeQuestion question{qname.wire(), qtype, client_.transport};
  if (answer_authoritatively(zones, question, renderer) != AuthoritativeOutcome::kAnswered) {
    return false;
  }
  std::size_t size = renderer.finish();
  zone::ResponseView view;
  if (zone::parse_response(scratch_.first(size), view) != zone::ResponseError::kOk) {
    done(staged_error(zone::rcode::SERVFAIL, true));  // our own rendering: cannot happen
    return true;
  }
  StagedAnswer answer = staged_from_response(view);
  // A signed zone's answers are signed data (RFC 6147 §5.5), whether or not RRSIGs went out.
  answer.signed_data = answer.signed_data || zone->apex().find(zone::rr_type::DNSKEY) != nullptr;
  done(std::move(answer));
  return true;
}

}  // namespace hayate::server
