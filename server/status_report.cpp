#include "server/status_report.hpp"

#include <array>

#include "zone/rr_text.hpp"

namespace hayate::server {
namespace {

constexpr std::array<std::string_view, WorkerStats::kRcodes> kRcodeNames = {
    "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN",  "NOTIMP",  "REFUSED", "YXDOMAIN", "YXRRSET",
    "NXRRSET", "NOTAUTH", "NOTZONE",  "DSOTYPENI", "",        "",        "",         "",
    "BADVERS", "BADKEY",  "BADTIME",  "BADMODE",   "BADNAME", "BADALG",  "BADTRUNC", "BADCOOKIE"};

// Always reported, even at zero, so that dashboards have the series from the start.
constexpr std::array<std::uint16_t, 6> kCommonRcodes = {0, 1, 2, 3, 4, 5};

bool is_common(std::size_t rcode) {
  for (auto c : kCommonRcodes) {
    if (c == rcode) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 2> kTransportNames = {"udp", "tcp"};

// Label values in the exposition format escape backslash, quote and newline.
std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string quote(std::string_view text) {
  return "\"" + escape_label(text) + "\"";
}

void metric_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

std::string label(std::string_view key, std::string_view value) {
  return std::string(key) + "=" + quote(value);
}

void query_metrics(std::string& out, const StatsSnapshot& stats) {
  metric_header(out, "hayate_queries_total", "counter", "Queries received, by transport.");
  for (std::size_t t = 0; t < kTransportNames.size(); ++t) {
    sample(out, "hayate_queries_total", label("transport", kTransportNames[t]),
           stats.queries_by_transport[t]);
  }
  metric_header(out, "hayate_queries_by_type_total", "counter", "Queries received, by QTYPE.");
  for (std::size_t q = 0; q < stats.queries_by_qtype.size(); ++q) {
    if (stats.queries_by_qtype[q] == 0) continue;
    sample(out, "hayate_queries_by_type_total",
           label("qtype", zone::type_to_text(static_cast<std::uint16_t>(q))),
           stats.queries_by_qtype[q]);
  }
  if (stats.queries_other_qtype != 0) {
    sample(out, "hayate_queries_by_type_total", label("qtype", "other"), stats.queries_other_qtype);
  }
}

// EDNS Client Subnet on the resolver side (RFC 7871).
void resolver_ecs_metrics(std::string& out, const StatsSnapshot& stats) {
  metric_header(out, "hayate_resolver_ecs_queries_sent_total", "counter",
                "Upstream queries that carried EDNS Client Subnet.");
  sample(out, "hayate_resolver_ecs_queries_sent_total", "", stats.ecs_queries_sent);
  metric_header(out, "hayate_resolver_ecs_tailored_cached_total", "counter",
                "Answers with ECS scope > 0 cached for their subnet.");
  sample(out, "hayate_resolver_ecs_tailored_cached_total", "", stats.ecs_tailored_cached);
  metric_header(out, "hayate_resolver_ecs_cache_lookups_total", "counter",
                "Lookups of tailored names by client subnet, by result.");
  sample(out, "hayate_resolver_ecs_cache_lookups_total", label("result", "hit"),
         stats.ecs_cache_hits);
  sample(out, "hayate_resolver_ecs_cache_lookups_total", label("result", "miss"),
         stats.ecs_cache_misses);
}

void resolver_metrics(std::string& out, const StatsSnapshot& stats) {
  metric_header(out, "hayate_resolver_cache_answers_total", "counter",
                "Resolver answers from its RRset and negative caches.");
  sample(out, "hayate_resolver_cache_answers_total", "", stats.resolver_cache_answers);
  metric_header(out, "hayate_resolver_refused_total", "counter",
                "Resolver queries refused by [resolver] allow.");
  sample(out, "hayate_resolver_refused_total", "", stats.resolver_refused);
  metric_header(out, "hayate_upstream_queries_total", "counter", "Questions sent upstream.");
  sample(out, "hayate_upstream_queries_total", "", stats.upstream_queries);
  metric_header(out, "hayate_upstream_failures_total", "counter",
                "Upstream questions that failed (timeout, network error, SERVFAIL, REFUSED).");
  sample(out, "hayate_upstream_failures_total", "", stats.upstream_failures);
  metric_header(out, "hayate_stale_answers_total", "counter",
                "Answers from expired cache data (RFC 8767).");
  sample(out, "hayate_stale_answers_total", "", stats.stale_answers);
  metric_header(out, "hayate_resolver_overload_drops_total", "counter",
                "Client questions dropped over [resolver] max-pending or max-pending-per-client.");
  sample(out, "hayate_resolver_overload_drops_total", "", stats.resolver_overload_drops);
  metric_header(out, "hayate_dns64_synthesized_total", "counter",
                "Answers made with synthesized AAAA or PTR aliases ([[dns64]], RFC 6147).");
  sample(out, "hayate_dns64_synthesized_total", "", stats.dns64_synthesized);
  metric_header(out, "hayate_aaaa_filtered_total", "counter",
                "Answers the AAAA filter removed AAAA records or ipv6hint from.");
  sample(out, "hayate_aaaa_filtered_total", "", stats.aaaa_filtered);
  resolver_ecs_metrics(out, stats);
}

void response_metrics(std::string& out, const StatsSnapshot& stats) {
  metric_header(out, "hayate_responses_total", "counter", "Responses sent, by RCODE.");
  for (std::size_t r = 0; r < stats.responses_by_rcode.size(); ++r) {
    if (stats.responses_by_rcode[r] == 0 && !is_common(r)) continue;
    sample(out, "hayate_responses_total", label("rcode", rcode_name(static_cast<std::uint16_t>(r))),
           stats.responses_by_rcode[r]);
  }
  if (stats.responses_other_rcode != 0) {
    sample(out, "hayate_responses_total", label("rcode", "other"), stats.responses_other_rcode);
  }
  metric_header(out, "hayate_answers_from_cache_total", "counter",
                "Responses served from the answer cache.");
  sample(out, "hayate_answers_from_cache_total", "", stats.answers_from_cache);
  metric_header(out, "hayate_dropped_total", "counter", "Queries dropped without a response.");
  sample(out, "hayate_dropped_total", "", stats.dropped);
  metric_header(out, "hayate_truncated_total", "counter", "Responses sent with TC=1.");
  sample(out, "hayate_truncated_total", "", stats.truncated);
  metric_header(out, "hayate_rrl_responses_total", "counter",
                "UDP responses limited by [rrl], by action (log-only: would have been limited).");
  sample(out, "hayate_rrl_responses_total", label("action", "dropped"), stats.rrl_dropped);
  sample(out, "hayate_rrl_responses_total", label("action", "slipped"), stats.rrl_slipped);
  sample(out, "hayate_rrl_responses_total", label("action", "log-only"), stats.rrl_log_only);
  metric_header(out, "hayate_ecs_queries_total", "counter",
                "Queries with a valid EDNS Client Subnet option from a trusted resolver.");
  sample(out, "hayate_ecs_queries_total", "", stats.ecs_queries);
  metric_header(out, "hayate_ecs_tailored_answers_total", "counter",
                "ECS answers from zones that differ by view (SCOPE from the view's subnet).");
  sample(out, "hayate_ecs_tailored_answers_total", "", stats.ecs_tailored_answers);
  resolver_metrics(out, stats);
}

void daemon_metrics(std::string& out, const DaemonStatus& status) {
  metric_header(out, "hayate_uptime_seconds", "gauge", "Seconds since the daemon started.");
  sample(out, "hayate_uptime_seconds", "", static_cast<std::uint64_t>(status.uptime.count()));
  metric_header(out, "hayate_workers", "gauge", "Worker threads.");
  sample(out, "hayate_workers", "", status.workers);
  metric_header(out, "hayate_udp_io_uring_workers", "gauge",
                "Workers whose UDP goes through io_uring (the others use epoll).");
  sample(out, "hayate_udp_io_uring_workers", "", status.io_uring_workers);
  metric_header(out, "hayate_zone_serial", "gauge", "SOA serial of the zone version served.");
  for (const ZoneReport& z : status.zones) {
    if (z.serving) sample(out, "hayate_zone_serial", label("zone", z.origin.to_text()), z.serial);
  }
  metric_header(out, "hayate_zone_load_failed", "gauge",
                "1 when the zone's last load failed (an older version may still be served).");
  for (const ZoneReport& z : status.zones) {
    const bool failed = !z.serving || z.kept_old;
    sample(out, "hayate_zone_load_failed", label("zone", z.origin.to_text()), failed ? 1 : 0);
  }
}

}  // namespace

std::string rcode_name(std::uint16_t rcode) {
  if (rcode < kRcodeNames.size() && !kRcodeNames[rcode].empty()) {
    return std::string(kRcodeNames[rcode]);
  }
  return "RCODE" + std::to_string(rcode);
}

std::string_view zone_state(const ZoneReport& zone) {
  if (!zone.serving) return "failed";
  return zone.kept_old ? "kept-old" : "serving";
}

std::string zone_error(const ZoneReport& zone) {
  for (const zone::Diagnostic& d : zone.diagnostics) {
    if (d.severity == zone::Severity::kError) return d.to_string();
  }
  if (!zone.serving || zone.kept_old) return zone.file + ": error: the zone did not load";
  return "";
}

std::vector<std::string> status_lines(const DaemonStatus& status) {
  std::vector<std::string> lines = {
      "version=" + status.version,
      "uptime=" + std::to_string(status.uptime.count()),
      "workers=" + std::to_string(status.workers),
      "udp-io-uring-workers=" + std::to_string(status.io_uring_workers),
      "zones=" + std::to_string(status.zones.size()),
  };
  for (const ZoneReport& z : status.zones) {
    std::string line = "zone " + z.origin.to_text() + " serial=" + std::to_string(z.serial) +
                       " state=" + std::string(zone_state(z));
    if (const std::string error = zone_error(z); !error.empty()) line += " error=" + quote(error);
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::string> stats_lines(const StatsSnapshot& stats) {
  std::vector<std::string> lines;
  auto add = [&lines](std::string key, std::uint64_t value) {
    lines.push_back(std::move(key) + "=" + std::to_string(value));
  };
  for (std::size_t t = 0; t < kTransportNames.size(); ++t) {
    add("queries." + std::string(kTransportNames[t]), stats.queries_by_transport[t]);
  }
  for (std::size_t r = 0; r < stats.responses_by_rcode.size(); ++r) {
    if (stats.responses_by_rcode[r] == 0 && !is_common(r)) continue;
    add("responses." + rcode_name(static_cast<std::uint16_t>(r)), stats.responses_by_rcode[r]);
  }
  if (stats.responses_other_rcode != 0) add("responses.other", stats.responses_other_rcode);
  for (std::size_t q = 0; q < stats.queries_by_qtype.size(); ++q) {
    if (stats.queries_by_qtype[q] == 0) continue;
    add("queries.type." + zone::type_to_text(static_cast<std::uint16_t>(q)),
        stats.queries_by_qtype[q]);
  }
  if (stats.queries_other_qtype != 0) add("queries.type.other", stats.queries_other_qtype);
  add("answers-from-cache", stats.answers_from_cache);
  add("dropped", stats.dropped);
  add("truncated", stats.truncated);
  add("resolver.answers-from-cache", stats.resolver_cache_answers);
  add("resolver.refused", stats.resolver_refused);
  add("resolver.upstream-queries", stats.upstream_queries);
  add("resolver.upstream-failures", stats.upstream_failures);
  add("resolver.stale-answers", stats.stale_answers);
  add("resolver.overload-drops", stats.resolver_overload_drops);
  add("dns64.synthesized", stats.dns64_synthesized);
  add("dns64.aaaa-filtered", stats.aaaa_filtered);
  add("ecs.queries", stats.ecs_queries);
  add("ecs.tailored-answers", stats.ecs_tailored_answers);
  add("resolver.ecs.queries-sent", stats.ecs_queries_sent);
  add("resolver.ecs.tailored-cached", stats.ecs_tailored_cached);
  add("resolver.ecs.cache-hits", stats.ecs_cache_hits);
  add("resolver.ecs.cache-misses", stats.ecs_cache_misses);
  add("rrl.dropped", stats.rrl_dropped);
  add("rrl.slipped", stats.rrl_slipped);
  add("rrl.log-only", stats.rrl_log_only);
  return lines;
}

std::string metrics_text(const DaemonStatus& status, const StatsSnapshot& stats) {
  std::string out;
  query_metrics(out, stats);
  response_metrics(out, stats);
  daemon_metrics(out, status);
  return out;
}

}  // namespace hayate::server
