#include "server/zone_transfer.hpp"

#include "zone/message_renderer.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

using zone::MessageRenderer;
using zone::Section;

constexpr std::size_t kMaxMessage = 65535;  // RFC 7766 §8: the 2-octet TCP length prefix

// Fills messages record by record; when one is full it goes out and the next begins. RFC 5936
// §2.2 allows an RRset to span messages, so single records are the unit.
class TransferWriter {
 public:
  TransferWriter(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                 std::span<std::uint8_t> buffer, EmitResponse emit)
      : query_(query), packet_(packet), buffer_(buffer), emit_(emit) {
    begin(true);
  }

  void add(const zone::Name& owner, const zone::RRset& rrset, const zone::Rdata& rdata) {
    if (add_once(owner, rrset, rdata)) return;
    flush();
    begin(false);
    add_once(owner, rrset, rdata);  // a single record always fits an empty 64 KiB message
  }

  void finish() { flush(); }

 private:
  bool add_once(const zone::Name& owner, const zone::RRset& rrset, const zone::Rdata& rdata) {
    return renderer_.add_record(Section::kAnswer, owner.wire(), rrset.type, zone::rr_class::IN,
                                rrset.ttl, rdata);
  }

  void begin(bool first) {
    renderer_ = MessageRenderer(buffer_, kMaxMessage);
    renderer_.begin_response(query_.header);
    renderer_.header().set(zone::flag::AA);
    // RFC 5936 §2.2.1: the question appears in the first message; later ones may leave it out.
    if (first) renderer_.echo_question(query_.question(packet_));
    if (query_.has_edns) renderer_.reserve(zone::opt_rr_size(0));
  }

  void flush() {
    if (query_.has_edns) renderer_.add_opt(zone::OptParams{});
    std::size_t size = renderer_.finish();
    emit_(std::span<const std::uint8_t>(buffer_.data(), size));
  }

  const zone::ParsedQuery& query_;
  std::span<const std::uint8_t> packet_;
  std::span<std::uint8_t> buffer_;
  EmitResponse emit_;
  MessageRenderer renderer_{buffer_, kMaxMessage};
};

}  // namespace

void stream_zone_transfer(const zone::Zone& zone, const zone::ParsedQuery& query,
                          std::span<const std::uint8_t> query_packet,
                          std::span<std::uint8_t> buffer, EmitResponse emit) {
  const zone::RRset* soa = zone.soa();
  if (soa == nullptr || soa->rdatas.empty()) return;
  TransferWriter writer(query, query_packet, buffer, emit);
  // RFC 5936 §2.2: the SOA first and last, everything else once in between.
  writer.add(zone.origin(), *soa, soa->rdatas.front());
  for (const auto& ref : zone.nodes_in_canonical_order()) {
    for (const auto& rrset : ref.node->rrsets()) {
      if (rrset.type == zone::rr_type::SOA && ref.node == &zone.apex()) continue;
      for (const auto& rdata : rrset.rdatas)
        writer.add(*ref.name, rrset, rdata);
    }
  }
  writer.add(zone.origin(), *soa, soa->rdatas.front());
  writer.finish();
}

}  // namespace hayate::server
