// Test packets for the XDP program: DNS queries, and Ethernet frames around them (802.1Q tag,
// IPv4 with options, IPv6) with correct checksums; and the reverse, a frame taken apart with its
// checksums verified independently of the program's way of computing them.
#pragma once

#include <arpa/inet.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hayate::bpf::testing {

using Bytes = std::vector<std::uint8_t>;

// "WwW.Example.COM." → wire octets, case kept.
inline Bytes wire_name(const std::string& dotted) {
  Bytes out;
  std::size_t start = 0;
  while (start < dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    if (dot == std::string::npos) dot = dotted.size();
    out.push_back(static_cast<std::uint8_t>(dot - start));
    out.insert(out.end(), dotted.begin() + static_cast<long>(start),
               dotted.begin() + static_cast<long>(dot));
    start = dot + 1;
  }
  out.push_back(0);
  return out;
}

struct Query {
  std::string qname = "www.example.com.";
  std::uint16_t qtype = 1;
  std::uint16_t qclass = 1;
  std::uint16_t id = 0x1234;
  bool rd = false;
  bool cd = false;
  bool edns = false;
  std::uint16_t payload = 1232;
  bool dnssec_ok = false;
  Bytes options;  // EDNS options (the OPT rdata)
};

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}

inline Bytes dns_query(const Query& q) {
  Bytes b;
  put16(b, q.id);
  put16(b, static_cast<std::uint16_t>((q.rd ? 0x0100 : 0) | (q.cd ? 0x0010 : 0)));
  put16(b, 1);
  put16(b, 0);
  put16(b, 0);
  put16(b, q.edns ? 1 : 0);
  Bytes name = wire_name(q.qname);
  b.insert(b.end(), name.begin(), name.end());
  put16(b, q.qtype);
  put16(b, q.qclass);
  if (q.edns) {
    b.push_back(0);
    put16(b, 41);
    put16(b, q.payload);
    b.push_back(0);  // extended RCODE
    b.push_back(0);  // version
    put16(b, q.dnssec_ok ? 0x8000 : 0);
    put16(b, static_cast<std::uint16_t>(q.options.size()));
    b.insert(b.end(), q.options.begin(), q.options.end());
  }
  return b;
}

struct Frame {
  bool v6 = false;
  bool vlan = false;
  std::uint16_t vlan_tci = 0x0064;
  Bytes ip_options;  // IPv4 only, a multiple of 4 octets
  std::string src = "192.0.2.10";
  std::string dst = "192.0.2.1";
  std::uint16_t sport = 40000;
  std::uint16_t dport = 53;
  bool udp_checksum = true;
  std::size_t pad_to = 0;  // Ethernet padding after the IP packet (minimum frame sizes)
};

inline const std::uint8_t kClientMac[6] = {0x02, 0, 0, 0, 0, 0x10};
inline const std::uint8_t kServerMac[6] = {0x02, 0, 0, 0, 0, 0x01};

inline std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2)
    sum += static_cast<std::uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  return sum;
}

inline std::uint16_t finish16(std::uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

inline Bytes address_bytes(const std::string& text, bool v6) {
  Bytes out(v6 ? 16 : 4);
  inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), out.data());
  return out;
}

// The RFC 768 / RFC 8200 §8.1 checksum of a UDP datagram (header checksum field zero).
inline std::uint16_t udp_checksum(const Bytes& src, const Bytes& dst, const Bytes& udp) {
  std::uint32_t sum = sum16(src.data(), src.size());
  sum = sum16(dst.data(), dst.size(), sum);
  sum += 17 + static_cast<std::uint32_t>(udp.size());
  sum = sum16(udp.data(), udp.size(), sum);
  std::uint16_t c = finish16(sum);
  return c == 0 ? 0xffff : c;
}

inline Bytes frame(const Frame& f, const Bytes& dns) {
  Bytes src = address_bytes(f.src, f.v6);
  Bytes dst = address_bytes(f.dst, f.v6);
  Bytes udp;
  put16(udp, f.sport);
  put16(udp, f.dport);
  put16(udp, static_cast<std::uint16_t>(8 + dns.size()));
  put16(udp, 0);
  udp.insert(udp.end(), dns.begin(), dns.end());
  if (f.udp_checksum) {
    std::uint16_t c = udp_checksum(src, dst, udp);
    udp[6] = static_cast<std::uint8_t>(c >> 8);
    udp[7] = static_cast<std::uint8_t>(c);
  }
  Bytes out(kServerMac, kServerMac + 6);
  out.insert(out.end(), kClientMac, kClientMac + 6);
  if (f.vlan) {
    put16(out, 0x8100);
    put16(out, f.vlan_tci);
  }
  put16(out, f.v6 ? 0x86dd : 0x0800);
  if (f.v6) {
    out.insert(out.end(), {0x60, 0, 0, 0});
    put16(out, static_cast<std::uint16_t>(udp.size()));
    out.push_back(17);
    out.push_back(64);
    out.insert(out.end(), src.begin(), src.end());
    out.insert(out.end(), dst.begin(), dst.end());
  } else {
    Bytes ip;
    ip.push_back(static_cast<std::uint8_t>(0x40 | (5 + f.ip_options.size() / 4)));
    ip.push_back(0);
    put16(ip, static_cast<std::uint16_t>(20 + f.ip_options.size() + udp.size()));
    put16(ip, 0x4242);
    put16(ip, 0);
    ip.push_back(64);
    ip.push_back(17);
    put16(ip, 0);
    ip.insert(ip.end(), src.begin(), src.end());
    ip.insert(ip.end(), dst.begin(), dst.end());
    ip.insert(ip.end(), f.ip_options.begin(), f.ip_options.end());
    std::uint16_t c = finish16(sum16(ip.data(), ip.size()));
    ip[10] = static_cast<std::uint8_t>(c >> 8);
    ip[11] = static_cast<std::uint8_t>(c);
    out.insert(out.end(), ip.begin(), ip.end());
  }
  out.insert(out.end(), udp.begin(), udp.end());
  if (out.size() < f.pad_to) out.resize(f.pad_to, 0);
  return out;
}

// A reply frame taken apart; `error` says what is wrong with it (empty: nothing).
struct Reply {
  std::string error;
  Bytes dns;
};

inline Reply parse_reply(const Bytes& out, const Frame& f) {
  Reply r;
  auto fail = [&](std::string why) {
    r.error = std::move(why);
    return r;
  };
  std::size_t off = 14 + (f.vlan ? 4 : 0);
  if (out.size() < off) return fail("short frame");
  if (!std::equal(kClientMac, kClientMac + 6, out.begin())) return fail("destination MAC");
  if (!std::equal(kServerMac, kServerMac + 6, out.begin() + 6)) return fail("source MAC");
  if (f.vlan && (out[12] != 0x81 || out[13] != 0x00 || (out[14] << 8 | out[15]) != f.vlan_tci)) {
    return fail("VLAN tag");
  }
  Bytes src = address_bytes(f.dst, f.v6);  // swapped
  Bytes dst = address_bytes(f.src, f.v6);
  std::size_t udp_off = 0;
  std::size_t udp_len = 0;
  if (f.v6) {
    if (out.size() < off + 40 || out[off] >> 4 != 6 || out[off + 6] != 17) return fail("IPv6");
    if (!std::equal(src.begin(), src.end(), out.begin() + static_cast<long>(off) + 8) ||
        !std::equal(dst.begin(), dst.end(), out.begin() + static_cast<long>(off) + 24)) {
      return fail("IPv6 addresses");
    }
    udp_len = static_cast<std::size_t>(out[off + 4] << 8 | out[off + 5]);
    udp_off = off + 40;
  } else {
    if (out.size() < off + 20 || out[off] != 0x45 || out[off + 9] != 17) return fail("IPv4");
    if (finish16(sum16(&out[off], 20)) != 0) return fail("IPv4 header checksum");
    if (!std::equal(src.begin(), src.end(), out.begin() + static_cast<long>(off) + 12) ||
        !std::equal(dst.begin(), dst.end(), out.begin() + static_cast<long>(off) + 16)) {
      return fail("IPv4 addresses");
    }
    std::size_t total = static_cast<std::size_t>(out[off + 2] << 8 | out[off + 3]);
    udp_len = total - 20;
    udp_off = off + 20;
  }
  if (out.size() != udp_off + udp_len) return fail("frame length vs IP length");
  if (udp_len < 8 || static_cast<std::size_t>(out[udp_off + 4] << 8 | out[udp_off + 5]) != udp_len)
    return fail("UDP length");
  if ((out[udp_off] << 8 | out[udp_off + 1]) != f.dport ||
      (out[udp_off + 2] << 8 | out[udp_off + 3]) != f.sport) {
    return fail("UDP ports");
  }
  Bytes udp(out.begin() + static_cast<long>(udp_off), out.end());
  const std::uint16_t sent = static_cast<std::uint16_t>(udp[6] << 8 | udp[7]);
  udp[6] = udp[7] = 0;
  if (sent != udp_checksum(src, dst, udp)) return fail("UDP checksum");
  r.dns.assign(udp.begin() + 8, udp.end());
  return r;
}

}  // namespace hayate::bpf::testing
