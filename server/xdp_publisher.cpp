#include "server/xdp_publisher.hpp"

#include <algorithm>

#include "bpf/answer_encoding.hpp"

namespace hayate::server {
namespace {

constexpr double kDecay = 0.5;     // per cycle: a question's score halves when no one asks
constexpr double kForget = 0.25;   // below this, an unpublished question is forgotten
constexpr std::size_t kSpare = 4;  // candidates kept per published entry
constexpr std::uint64_t kNs = 1'000'000'000;

}  // namespace

std::string question_of(const hayate_xdp_key& key, const hayate_xdp_answer& value) {
  std::size_t length = 0;
  while (length < sizeof(value.qname) && value.qname[length] != 0)
    length += value.qname[length] + 1u;
  length = std::min(length + 1, sizeof(value.qname));
  AnswerKey k{{value.qname, length}, key.qtype, key.qclass, key.shape};
  return encode_question(k);
}

XdpPublisher::XdpPublisher(HotAnswerMap& map, PublisherSettings settings,
                           std::shared_ptr<const ServingState> state)
    : map_(map), settings_(settings), renderer_(std::move(state)) {
  settings_.hot_answers = std::min<std::size_t>(settings_.hot_answers, map_.capacity());
  for (std::uint32_t slot = static_cast<std::uint32_t>(settings_.hot_answers); slot > 0; --slot)
    free_slots_.push_back(slot - 1);
}

void XdpPublisher::set_state(std::shared_ptr<const ServingState> state) {
  remove_all();
  renderer_.set_state(std::move(state));
}

std::size_t XdpPublisher::adopt_map() {
  std::size_t found = 0;
  for (const auto& [key, question] : map_.entries()) {
    scores_[question] = std::max(settings_.min_score, 1.0) / kDecay;
    map_.erase(key);
    ++found;
  }
  return found;
}

std::size_t XdpPublisher::flush() {
  scores_.clear();
  std::size_t n = remove_all();
  for (const auto& [key, question] : map_.entries()) {  // entries someone else put there
    map_.erase(key);
    ++n;
  }
  return n;
}

std::size_t XdpPublisher::remove_all() {
  const std::size_t n = published_.size();
  while (!published_.empty())
    unpublish(published_.begin()->first);
  return n;
}

void XdpPublisher::unpublish(const std::string& question) {
  auto it = published_.find(question);
  if (it == published_.end()) return;
  AnswerKey k;
  decode_question(question, k);
  map_.erase(bpf::make_key(k.qname_lower, k.qtype, k.qclass, k.shape));
  free_slots_.push_back(it->second.slot);
  published_.erase(it);
}

PublishReport XdpPublisher::publish(const std::vector<HotQuestions::Counts>& counts,
                                    std::uint64_t now_ns) {
  PublishReport report;
  for (auto& [question, score] : scores_)
    score *= kDecay;
  for (const auto& worker : counts) {
    for (const auto& [question, n] : worker)
      scores_[question] += static_cast<double>(n);
  }
  // Answers the kernel sent never reached the workers' counters: count them here.
  for (auto& [question, entry] : published_) {
    const std::uint64_t hits = map_.hits(entry.slot);
    scores_[question] += static_cast<double>(hits - std::min(hits, entry.hits_seen));
    entry.hits_seen = hits;
  }
  std::vector<std::pair<double, std::string>> ranked;
  for (auto it = scores_.begin(); it != scores_.end();) {
    if (it->second < kForget && !published_.contains(it->first)) {
      it = scores_.erase(it);
    } else {
      ranked.emplace_back(it->second, it->first);
      ++it;
    }
  }
  const std::size_t keep = std::min(ranked.size(), settings_.hot_answers * kSpare + 64);
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<long>(keep), ranked.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t i = keep; i < ranked.size(); ++i) {
    if (!published_.contains(ranked[i].second)) scores_.erase(ranked[i].second);
  }
  ranked.resize(keep);

  std::unordered_map<std::string, bool> chosen;
  for (const auto& [score, question] : ranked) {
    if (chosen.size() == settings_.hot_answers || score < settings_.min_score) break;
    chosen.emplace(question, true);
  }
  std::vector<std::string> gone;
  for (const auto& [question, entry] : published_) {
    if (!chosen.contains(question)) gone.push_back(question);
  }
  for (const std::string& question : gone) {
    unpublish(question);
    ++report.removed;
  }
  for (const auto& [question, yes] : chosen) {
    auto it = published_.find(question);
    // Refreshed at half its lifetime, so the kernel never holds an expired entry for long.
    if (it != published_.end() &&
        now_ns < it->second.written_ns + (it->second.expires_ns - it->second.written_ns) / 2) {
      continue;
    }
    if (write(question, now_ns)) {
      ++report.written;
    } else {
      ++report.refused;
      scores_.erase(question);
    }
  }
  report.published = published_.size();
  last_ = report;
  return report;
}

bool XdpPublisher::write(const std::string& question, std::uint64_t now_ns) {
  auto response = renderer_.render(question);
  std::optional<std::uint32_t> ttl;
  if (response) ttl = minimum_ttl(*response);
  AnswerKey k;
  if (!response || !ttl || *ttl == 0 || !decode_question(question, k)) {
    unpublish(question);
    return false;
  }
  auto it = published_.find(question);
  if (it == published_.end()) {
    if (free_slots_.empty()) return false;
    Entry entry;
    entry.slot = free_slots_.back();
    free_slots_.pop_back();
    entry.hits_seen = map_.hits(entry.slot);
    it = published_.emplace(question, entry).first;
  }
  const std::uint64_t lifetime =
      std::min<std::uint64_t>(*ttl, static_cast<std::uint64_t>(settings_.max_age.count())) * kNs;
  auto value = bpf::encode_answer(*response, k.qname_lower, now_ns + lifetime, it->second.slot);
  if (!value || !map_.put(bpf::make_key(k.qname_lower, k.qtype, k.qclass, k.shape), *value)) {
    unpublish(question);
    return false;
  }
  it->second.written_ns = now_ns;
  it->second.expires_ns = now_ns + lifetime;
  return true;
}

}  // namespace hayate::server
