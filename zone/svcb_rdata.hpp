// SVCB and HTTPS rdata from presentation format (RFC 9460 §2.1, Appendix A), done here instead of
// by ldns because ldns 1.8 gets the value-list escaping wrong (`alpn="h1\\,h2"` must be the one
// ALPN id "h1,h2"), accepts empty alpn items and silently truncates port numbers above 65535.
#pragma once

#include <span>

#include "zone/master_lexer.hpp"
#include "zone/name.hpp"
#include "zone/result.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

// `tokens` are the rdata tokens: SvcPriority, TargetName, then SvcParams. Relative target names
// are completed with `origin`. Returns uncompressed wire rdata with the params in key order.
Result<Rdata> svcb_rdata_from_text(std::span<const MasterToken> tokens, const Name& origin);

}  // namespace hayate::zone
