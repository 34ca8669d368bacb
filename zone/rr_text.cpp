#include "zone/rr_text.hpp"

#include <cstdlib>
#include <memory>

#include "zone/ldns_wrapper.hpp"

namespace hayate::zone {
namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

struct FreeDeleter {
  void operator()(char* p) const { std::free(p); }
};

}  // namespace

std::string record_to_text(const Name& owner, std::uint16_t type, std::uint16_t rclass,
                           std::uint32_t ttl, const Rdata& rdata) {
  // Assemble the record in wire form and let ldns print it: one printer for every type it knows,
  // and RFC 3597 "\# len hex" for the rest.
  std::vector<std::uint8_t> wire(owner.wire().begin(), owner.wire().end());
  put16(wire, type);
  put16(wire, rclass);
  put16(wire, static_cast<std::uint16_t>(ttl >> 16));
  put16(wire, static_cast<std::uint16_t>(ttl));
  put16(wire, static_cast<std::uint16_t>(rdata.size()));
  wire.insert(wire.end(), rdata.begin(), rdata.end());

  ldns_rr* rr = nullptr;
  std::size_t pos = 0;
  if (ldns_wire2rr(&rr, wire.data(), wire.size(), &pos, LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
    return owner.to_text() + " " + std::to_string(ttl) + " CLASS" + std::to_string(rclass) + " " +
           type_to_text(type) + " \\# " + std::to_string(rdata.size());
  }
  std::unique_ptr<char, FreeDeleter> text(ldns_rr2str(rr));
  ldns_rr_free(rr);
  std::string out = text ? text.get() : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
    out.pop_back();
  return out;
}

std::string type_to_text(std::uint16_t type) {
  std::unique_ptr<char, FreeDeleter> text(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
  return text ? std::string(text.get()) : "TYPE" + std::to_string(type);
}

}  // namespace hayate::zone
