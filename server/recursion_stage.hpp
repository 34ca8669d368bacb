// The pipeline's view of the resolver: what QueryProcessor asks for names in none of its zones.
//
// Kept free of asio (like the rest of the pipeline, which clang builds for the fuzz targets):
// server/resolver/resolver_stage.* implements it with the caches, the forwarder or the iterator,
// and coroutines on the worker's io_context.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "server/query_handler.hpp"
#include "zone/edns.hpp"
#include "zone/message.hpp"
#include "zone/name.hpp"
#include "zone/response_view.hpp"

namespace hayate::server {

struct RecursiveQuestion {
  zone::Name qname;  // as the client wrote it
  std::uint16_t qtype = 1;
  std::uint16_t qclass = 1;
  // EDNS Client Subnet (RFC 7871 §7.1.1): the client's address and its own valid ECS option, from
  // which the resolver decides what subnet, if any, to send upstream.
  sockaddr_storage client_address{};
  std::optional<zone::ClientSubnet> client_subnet;
  // Times the answer was sent from the answer cache since the resolver's caches last saw the
  // question (their prefetch counts popularity in lookups).
  std::uint32_t earlier_uses = 0;
};

// What the resolver found: rendered by the pipeline with RA=1 and AA=0.
struct RecursiveAnswer {
  std::uint16_t rcode = zone::rcode::SERVFAIL;
  std::vector<zone::ResponseRRset> answer;  // the CNAME chain, then the data; TTLs as to send
  std::optional<zone::ResponseRRset> soa;   // NXDOMAIN / NODATA: for the authority section
  bool stale = false;                       // expired data (RFC 8767)
  // RFC 7871 §7.2: the SCOPE to echo when the client sent ECS; 0 when the answer is not tailored.
  std::uint8_t ecs_scope = 0;
  // The resolver is at its [resolver] max-pending limits: send nothing (the client retries).
  bool dropped = false;
  // How long this answer, rendered now, may be sent again from the pipeline's answer cache with
  // its TTLs lowered by the time passed; 0: not at all (stale, tailored, or due for prefetch).
  std::uint32_t reuse_seconds = 0;
};

// The resolver's clock in whole seconds and its cache generation, which `cache flush` advances:
// what the answer cache compares its kept resolver answers with.
struct CacheEpoch {
  std::uint32_t seconds = 0;
  std::uint32_t generation = 0;
};

class RecursionStage {
 public:
  using Done = std::function<void(RecursiveAnswer)>;

  virtual ~RecursionStage() = default;

  // Whether `client` may use the resolver ([resolver] allow).
  virtual bool allows(const ClientInfo& client) const = 0;
  // The answer from cache alone (TTLs decremented), or nullopt on a miss.
  virtual std::optional<RecursiveAnswer> from_cache(const RecursiveQuestion& question) = 0;
  // Resolves; `done` runs exactly once, later, on the worker's thread (never inside this call),
  // with `dropped` set when too many questions are pending.
  virtual void resolve(const RecursiveQuestion& question, Done done) = 0;
  // Now, for answers kept with a RecursiveAnswer::reuse_seconds.
  virtual CacheEpoch cache_epoch() const {
    const auto since_boot = std::chrono::steady_clock::now().time_since_epoch();
    return {static_cast<std::uint32_t>(
                std::chrono::duration_cast<std::chrono::seconds>(since_boot).count()),
            0};
  }
};

}  // namespace hayate::server
