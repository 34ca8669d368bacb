#include "server/hot_answer_renderer.hpp"

#include <algorithm>

#include "zone/message.hpp"
#include "zone/record_reader.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {

HotAnswerRenderer::HotAnswerRenderer(std::shared_ptr<const ServingState> state)
    : state_(state), processor_(state, stats_), payload_size_(state->policy.udp_payload_size) {
  processor_.set_hot_questions(&seen_);
}

void HotAnswerRenderer::set_state(std::shared_ptr<const ServingState> state) {
  payload_size_ = state->policy.udp_payload_size;
  state_ = state;
  processor_.set_state(std::move(state));
}

std::optional<std::vector<std::uint8_t>> HotAnswerRenderer::render(
    std::string_view encoded_question) {
  AnswerKey key;
  if (!decode_question(encoded_question, key)) return std::nullopt;
  if ((key.shape & AnswerKey::kTcp) != 0) return std::nullopt;
  std::vector<std::uint8_t> query(zone::kHeaderSize, 0);
  query[5] = 1;  // QDCOUNT
  query.insert(query.end(), key.qname_lower.begin(), key.qname_lower.end());
  const std::uint8_t fixed[4] = {
      static_cast<std::uint8_t>(key.qtype >> 8), static_cast<std::uint8_t>(key.qtype),
      static_cast<std::uint8_t>(key.qclass >> 8), static_cast<std::uint8_t>(key.qclass)};
  query.insert(query.end(), fixed, fixed + 4);
  if ((key.shape & AnswerKey::kEdns) != 0) {
    query[11] = 1;  // ARCOUNT: the OPT record (RFC 6891 §6.1.2)
    const std::uint16_t size = std::max<std::uint16_t>(payload_size_, 512);
    const std::uint8_t opt[11] = {
        0,
        0,
        zone::rr_type::OPT,
        static_cast<std::uint8_t>(size >> 8),
        static_cast<std::uint8_t>(size),
        0,
        0,
        static_cast<std::uint8_t>((key.shape & AnswerKey::kDnssecOk) ? 0x80 : 0),
        0,
        0,
        0};
    query.insert(query.end(), opt, opt + 11);
  }
  auto response = render_once(query);
  if (!response) return std::nullopt;
  // The same question in uppercase must give the same bytes after the question.
  for (std::size_t i = zone::kHeaderSize; i < zone::kHeaderSize + key.qname_lower.size(); ++i) {
    if (query[i] >= 'a' && query[i] <= 'z') query[i] = static_cast<std::uint8_t>(query[i] - 32);
  }
  auto upper = render_once(query);
  const std::size_t body = zone::kHeaderSize + key.qname_lower.size() + 4;
  if (!upper || upper->size() != response->size() ||
      !std::equal(response->begin() + static_cast<long>(body), response->end(),
                  upper->begin() + static_cast<long>(body))) {
    return std::nullopt;
  }
  return response;
}

std::optional<std::vector<std::uint8_t>> HotAnswerRenderer::render_once(
    std::span<const std::uint8_t> query) {
  processor_.set_state(state_);  // an empty answer cache: render afresh
  seen_.take();
  std::optional<std::vector<std::uint8_t>> response;
  ClientInfo client;  // no address: an answer that needed one would not be cacheable anyway
  client.transport = Transport::kUdp;
  processor_.handle(query, client, [&](std::span<const std::uint8_t> message) {
    response.emplace(message.begin(), message.end());
  });
  // Published only when the processor counted it as a question-only answer.
  if (!response || seen_.take().size() != 1) return std::nullopt;
  return response;
}

std::optional<std::uint32_t> minimum_ttl(std::span<const std::uint8_t> response) {
  zone::RecordReader reader(response);
  zone::Header header;
  if (reader.read_header(header) != zone::WireError::kOk) return std::nullopt;
  for (std::uint16_t i = 0; i < header.qdcount; ++i) {
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    if (reader.read_question(nullptr, qtype, qclass) != zone::WireError::kOk) return std::nullopt;
  }
  std::optional<std::uint32_t> minimum;
  const unsigned records = unsigned{header.ancount} + header.nscount + header.arcount;
  for (unsigned i = 0; i < records; ++i) {
    zone::WireRecord record;
    if (reader.read_record(nullptr, record) != zone::WireError::kOk) return std::nullopt;
    if (record.header.type == zone::rr_type::OPT) continue;  // its TTL field holds flags
    minimum = std::min(minimum.value_or(record.header.ttl), record.header.ttl);
  }
  return minimum;
}

}  // namespace hayate::server
