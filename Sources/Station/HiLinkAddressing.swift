#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Where a HiLink unit's web API is, seen from the station's side of its USB network interface.
///
/// The unit is its LAN's DHCP server and router. The station's lease (networkd's, with `UseGateway=no` and
/// `UseRoutes=no`: no route to read) names the router; without a lease file, the unit is the first address of the
/// interface's subnet, as every HiLink firmware sets it up (192.168.8.1/24 by default).
enum HiLinkAddressing {
    /// An interface's IPv4 address and prefix length.
    struct IPv4Interface: Sendable, Equatable {
        var address: UInt32
        var prefixLength: Int
    }

    /// The router named by a systemd-networkd lease file (`ROUTER=192.168.8.1`, first of a list); nil when none.
    static func router(inLease text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("ROUTER=") {
            let value = line.dropFirst("ROUTER=".count).split(separator: " ").first.map(String.init) ?? ""
            if parse(value) != nil { return value }
        }
        return nil
    }

    /// The first host address of the interface's subnet (the unit, by HiLink's convention); nil for a /31 or /32.
    static func firstHost(of interface: IPv4Interface) -> String? {
        guard (8...30).contains(interface.prefixLength) else { return nil }
        let mask = ~UInt32(0) << UInt32(32 - interface.prefixLength)
        let network = interface.address & mask
        let host = network | 1
        guard host != interface.address else { return nil }   // the station itself holds .1: no unit to point at
        return format(host)
    }

    /// Dotted-quad text of an address in host byte order.
    static func format(_ address: UInt32) -> String {
        "\(address >> 24).\((address >> 16) & 0xFF).\((address >> 8) & 0xFF).\(address & 0xFF)"
    }

    /// An address in host byte order from dotted-quad text; nil for anything else.
    static func parse(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard part.count <= 3, part.allSatisfy(\.isASCII), let byte = UInt8(part) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// The IPv4 address and prefix of a network interface, from `getifaddrs`; nil when it has none (no lease yet).
    static func ipv4(of name: String) -> IPv4Interface? {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let rawName = entry.pointee.ifa_name, String(cString: rawName) == name,
                  let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                  let netmask = entry.pointee.ifa_netmask else { continue }
            let host = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            let mask = netmask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            return IPv4Interface(address: host, prefixLength: mask.nonzeroBitCount)
        }
        return nil
    }

    /// The unit's address behind interface `name`: the lease's router (networkd keeps leases by interface index in
    /// `/run/systemd/netif/leases/`), else the first host of the interface's subnet; nil while it has no address.
    static func unitAddress(interface name: String, leaseDirectory: String = "/run/systemd/netif/leases") -> String? {
        let index = if_nametoindex(name)
        if index != 0, let text = try? String(contentsOfFile: "\(leaseDirectory)/\(index)", encoding: .utf8),
           let router = router(inLease: text) {
            return router
        }
        return ipv4(of: name).flatMap(firstHost)
    }
}
