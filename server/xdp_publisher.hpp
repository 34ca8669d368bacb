// The hot-answer publisher: keeps the XDP program's hot-answer map filled with the responses to
// the most asked questions, as user space would send them now.
//
// Each cycle (the daemon runs one every [xdp] publish-interval) it adds the questions the
// workers counted (HotQuestions) and the hits the kernel answered itself (per-entry counters)
// to decaying scores, picks the top N, renders their answers with HotAnswerRenderer (only
// answers that depend on nothing but the question qualify) and writes them to the map; entries
// that fell out of the top are removed. A published entry expires in the kernel after
// min(smallest TTL, max-age) and is refreshed well before; a zone reload empties the map at
// once, before the new zones answer anything. Runs on one thread (the daemon's main thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "bpf/xdp_shared.h"
#include "server/hot_answer_renderer.hpp"
#include "server/hot_questions.hpp"
#include "server/serving_state.hpp"

namespace hayate::server {

// The map as the publisher sees it (the BPF map in the daemon, a fake in tests).
class HotAnswerMap {
 public:
  virtual ~HotAnswerMap() = default;
  virtual bool put(const hayate_xdp_key& key, const hayate_xdp_answer& value) = 0;
  virtual void erase(const hayate_xdp_key& key) = 0;
  // Every entry's key and its question (encode_question(), from the name kept in the value).
  virtual std::vector<std::pair<hayate_xdp_key, std::string>> entries() const = 0;
  // Kernel answers from the entry using `slot`, summed over CPUs, since the map was created.
  virtual std::uint64_t hits(std::uint32_t slot) const = 0;
  virtual std::uint32_t capacity() const = 0;
};

struct PublisherSettings {
  std::size_t hot_answers = 1024;
  std::chrono::seconds max_age{30};
  double min_score = 2;  // fewer (decayed) queries per cycle: not worth a map entry
};

struct PublishReport {
  std::size_t published = 0;  // entries in the map after the cycle
  std::size_t written = 0;    // new or refreshed entries
  std::size_t removed = 0;
  std::size_t refused = 0;  // hot, but not publishable (depends on more than the question, ...)
};

// The encode_question() string of a map entry.
std::string question_of(const hayate_xdp_key& key, const hayate_xdp_answer& value);

class XdpPublisher {
 public:
  XdpPublisher(HotAnswerMap& map, PublisherSettings settings,
               std::shared_ptr<const ServingState> state);

  // A reload: empties the map now (its answers come from the old zones); the scores stay, so
  // the next cycle publishes the new answers to the same hot questions.
  void set_state(std::shared_ptr<const ServingState> state);
  // A restart with a pinned map: its keys become candidates and the map is emptied; the next
  // publish() renders them afresh from the zones loaded now. Returns how many it found.
  std::size_t adopt_map();
  PublishReport publish(const std::vector<HotQuestions::Counts>& counts, std::uint64_t now_ns);
  // hayatectl xdp flush: empties the map and forgets the scores. Returns the entries removed.
  std::size_t flush();

  std::size_t published() const { return published_.size(); }
  const PublishReport& last_report() const { return last_; }

 private:
  struct Entry {
    std::uint32_t slot = 0;
    std::uint64_t hits_seen = 0;  // map.hits(slot) when last read
    std::uint64_t written_ns = 0;
    std::uint64_t expires_ns = 0;
  };

  std::size_t remove_all();
  void unpublish(const std::string& question);
  // Writes the question's entry; false when it may not be published.
  bool write(const std::string& question, std::uint64_t now_ns);

  HotAnswerMap& map_;
  PublisherSettings settings_;
  HotAnswerRenderer renderer_;
  std::unordered_map<std::string, double> scores_;
  std::unordered_map<std::string, Entry> published_;
  std::vector<std::uint32_t> free_slots_;
  PublishReport last_;
};

}  // namespace hayate::server
