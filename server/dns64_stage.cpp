#include "server/dns64_stage.hpp"

#include <algorithm>
#include <utility>

#include "server/dns64_synthesis.hpp"
#include "zone/dns64_address.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

namespace rr_type = zone::rr_type;
using Done = AnswerSource::Done;

// RFC 6147 §5.1: ask AAAA; when there is no usable AAAA, ask A and synthesize.
void synthesize_from_a(const Dns64Policy& policy, const Dns64Question& q, AnswerSource& source,
                       Done done) {
  source.ask(q.qname, rr_type::AAAA,
             [&policy, &source, q, done = std::move(done)](StagedAnswer aaaa) mutable {
               if (!needs_synthesis(aaaa, policy, q.dnssec_ok)) {
                 done(std::move(aaaa));
                 return;
               }
               source.ask(
                   q.qname, rr_type::A,
                   [&policy, aaaa = std::move(aaaa), done](StagedAnswer a) mutable {
                     auto synthesized = synthesize_aaaa(&aaaa, a, policy);
                     bool from_zones = aaaa.from_zones && a.from_zones;
                     const std::uint32_t reuse = std::min(aaaa.reuse_seconds, a.reuse_seconds);
                     StagedAnswer out = synthesized ? std::move(*synthesized) : std::move(aaaa);
                     out.from_zones = from_zones;
                     out.reuse_seconds = reuse;
                     done(std::move(out));
                   });
             });
}

// Synthesize-always: real AAAA are never used, so only A is asked for; the answer keeps the
// chain and the A answer's rcode (NXDOMAIN passes through).
void synthesize_always(const Dns64Policy& policy, const Dns64Question& q, AnswerSource& source,
                       Done done) {
  source.ask(q.qname, rr_type::A, [&policy, done = std::move(done)](StagedAnswer a) {
    auto synthesized = synthesize_aaaa(nullptr, a, policy);
    done(synthesized ? std::move(*synthesized) : without_addresses(std::move(a)));
  });
}

// BIND's filter-aaaa for an AAAA question: the AAAA go when the name has A.
void filter_aaaa_question(const Dns64Policy& policy, const Dns64Question& q, AnswerSource& source,
                          Done done) {
  source.ask(
      q.qname, rr_type::AAAA,
      [&policy, &source, q, done = std::move(done)](StagedAnswer aaaa) mutable {
        if (!aaaa.has_answer_type(rr_type::AAAA) || dnssec_protected(aaaa, policy, q.dnssec_ok)) {
          done(std::move(aaaa));
          return;
        }
        source.ask(q.qname, rr_type::A, [aaaa = std::move(aaaa), done](StagedAnswer a) mutable {
          if (a.rcode == zone::rcode::NOERROR && a.has_answer_type(rr_type::A)) {
            remove_answer_aaaa(aaaa);
            remove_aaaa_beside_a(aaaa, zone::Section::kAdditional);
          }
          aaaa.from_zones = aaaa.from_zones && a.from_zones;
          aaaa.reuse_seconds = std::min(aaaa.reuse_seconds, a.reuse_seconds);
          done(std::move(aaaa));
        });
      });
}

// The filter for other questions: AAAA beside A in the answer (ANY) and additional sections, and
// ipv6hint in SVCB/HTTPS.
void filter_other_question(const Dns64Policy& policy, const Dns64Question& q, AnswerSource& source,
                           Done done) {
  source.ask(q.qname, q.qtype, [&policy, q, done = std::move(done)](StagedAnswer answer) {
    if (!dnssec_protected(answer, policy, q.dnssec_ok)) {
      remove_aaaa_beside_a(answer, zone::Section::kAnswer);
      remove_aaaa_beside_a(answer, zone::Section::kAdditional);
      strip_ipv6hints(answer);
    }
    done(std::move(answer));
  });
}

// RFC 6147 §5.3.1: a PTR question for an address inside a prefix is answered with a CNAME to
// the in-addr.arpa name, and that name is resolved.
void ptr_through_alias(const Dns64Question& q, zone::Name target, AnswerSource& source, Done done) {
  zone::Name asked = target;
  source.ask(asked, rr_type::PTR,
             [qname = q.qname, target = std::move(target), done = std::move(done)](
                 StagedAnswer answer) { done(ptr_alias_answer(qname, target, answer)); });
}

}  // namespace

bool dns64_applies(const Dns64Policy& policy, const zone::Name& qname, std::uint16_t qtype,
                   std::uint16_t qclass) {
  if (qclass != zone::rr_class::IN) return false;
  if (!policy.synthesizes()) return true;
  if (qtype == rr_type::AAAA || zone::is_ipv4only_arpa(qname)) return true;
  return qtype == rr_type::PTR && dns64_ptr_target(qname, policy).has_value();
}

void answer_with_dns64(const Dns64Policy& policy, const Dns64Question& q, AnswerSource& source,
                       Done done) {
  if (!dns64_applies(policy, q.qname, q.qtype, q.qclass)) {
    source.ask(q.qname, q.qtype, std::move(done));
    return;
  }
  if (!policy.synthesizes()) {
    if (q.qtype == rr_type::AAAA) return filter_aaaa_question(policy, q, source, std::move(done));
    return filter_other_question(policy, q, source, std::move(done));
  }
  // RFC 6147 §5.5: CD=1 means the client validates, and synthesized data would fail.
  if (q.checking_disabled) return source.ask(q.qname, q.qtype, std::move(done));
  if (zone::is_ipv4only_arpa(q.qname)) return done(ipv4only_arpa_answer(q.qname, q.qtype, policy));
  if (q.qtype == rr_type::PTR) {
    return ptr_through_alias(q, *dns64_ptr_target(q.qname, policy), source, std::move(done));
  }
  if (policy.mode == Dns64Mode::kSynthesizeAlways) {
    return synthesize_always(policy, q, source, std::move(done));
  }
  synthesize_from_a(policy, q, source, std::move(done));
}

}  // namespace hayate::server
