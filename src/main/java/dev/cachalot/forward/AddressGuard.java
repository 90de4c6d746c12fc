package dev.cachalot.forward;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The check applied to the exact address a connection is about to be opened to, after name
 * resolution, so that a name that resolves (or re-resolves: DNS rebinding) to an internal address
 * cannot turn the proxy into a path into the internal network. By default every non-public range
 * is denied: loopback, RFC 1918, CGNAT, link-local (cloud metadata at 169.254.169.254), ULA,
 * multicast, unspecified, broadcast, reserved, and the IPv6 forms that embed an IPv4 address
 * (IPv4-mapped, IPv4-compatible, SIIT, NAT64, 6to4), judged by the embedded address. Operators add
 * exceptions ({@code allow}) and extra denials ({@code deny}); a configured denial beats an
 * exception, and an exception beats the built-in list. Thread-safe, immutable.
 */
public final class AddressGuard {
    /** Why an address was allowed or refused. */
    public enum Outcome {
        /** A public address: not in any denied range. */
        ALLOWED,
        /** In a denied range but inside a configured exception. */
        ALLOWED_BY_EXCEPTION,
        /** In a built-in non-public range. */
        DENIED_BUILTIN,
        /** In a range the operator denied. */
        DENIED_CONFIGURED
    }

    /**
     * A verdict on one address.
     *
     * @param outcome the kind of verdict
     * @param rule    the range that decided (e.g. {@code "loopback 127.0.0.0/8"}), or "" for a public address
     */
    public record Verdict(Outcome outcome, String rule) {
        public boolean allowed() {
            return outcome == Outcome.ALLOWED || outcome == Outcome.ALLOWED_BY_EXCEPTION;
        }
    }

    private record Named(String name, Cidr range) {
        @Override
        public String toString() {
            return name + " " + range;
        }
    }

    private static final List<Named> BUILTIN = List.of(
            named("this-network", "0.0.0.0/8"),          // RFC 791, includes the unspecified 0.0.0.0
            named("private", "10.0.0.0/8"),              // RFC 1918
            named("cgnat", "100.64.0.0/10"),             // RFC 6598
            named("loopback", "127.0.0.0/8"),            // RFC 1122 §3.2.1.3
            named("link-local", "169.254.0.0/16"),       // RFC 3927; 169.254.169.254 is cloud metadata
            named("private", "172.16.0.0/12"),           // RFC 1918
            named("ietf-protocol", "192.0.0.0/24"),      // RFC 6890
            named("documentation", "192.0.2.0/24"),      // RFC 5737
            named("private", "192.168.0.0/16"),          // RFC 1918
            named("benchmarking", "198.18.0.0/15"),      // RFC 2544
            named("documentation", "198.51.100.0/24"),   // RFC 5737
            named("documentation", "203.0.113.0/24"),    // RFC 5737
            named("multicast", "224.0.0.0/4"),           // RFC 5771
            named("reserved", "240.0.0.0/4"),            // RFC 1112; includes broadcast 255.255.255.255
            named("unspecified", "::/128"),              // RFC 4291 §2.5.2
            named("loopback", "::1/128"),                // RFC 4291 §2.5.3
            named("discard", "100::/64"),                // RFC 6666
            named("nat64-local", "64:ff9b:1::/48"),      // RFC 8215: local-use translation, never public
            named("teredo", "2001::/32"),                // RFC 4380: tunnels to arbitrary IPv4
            named("documentation", "2001:db8::/32"),     // RFC 3849
            named("ula", "fc00::/7"),                    // RFC 4193
            named("link-local", "fe80::/10"),            // RFC 4291 §2.5.6
            named("site-local", "fec0::/10"),            // RFC 3879 (deprecated)
            named("multicast", "ff00::/8"));             // RFC 4291 §2.7

    private final List<Cidr> allow;
    private final List<Cidr> deny;

    /**
     * @param allow exceptions to the built-in denials (e.g. {@code 127.0.0.1/32} to try a local server)
     * @param deny  extra denied ranges; they beat the exceptions
     */
    public AddressGuard(List<Cidr> allow, List<Cidr> deny) {
        this.allow = List.copyOf(allow);
        this.deny = List.copyOf(deny);
    }

    /** The default guard: built-in denials only. */
    public static AddressGuard defaults() {
        return new AddressGuard(List.of(), List.of());
    }

    /** Judges one resolved address. */
    public Verdict check(InetAddress address) {
        return check(address.getAddress());
    }

    /** Judges one address given by its 4 or 16 bytes. */
    public Verdict check(byte[] address) {
        List<byte[]> forms = forms(address);
        for (byte[] f : forms) {
            for (Cidr c : deny) {
                if (c.contains(f)) {
                    return new Verdict(Outcome.DENIED_CONFIGURED, "configured " + c);
                }
            }
        }
        for (byte[] f : forms) {
            for (Cidr c : allow) {
                if (c.contains(f)) {
                    return new Verdict(Outcome.ALLOWED_BY_EXCEPTION, "exception " + c);
                }
            }
        }
        for (byte[] f : forms) {
            for (Named n : BUILTIN) {
                if (n.range().contains(f)) {
                    return new Verdict(Outcome.DENIED_BUILTIN, n.toString());
                }
            }
        }
        return new Verdict(Outcome.ALLOWED, "");
    }

    /**
     * The address itself plus every IPv4 address an IPv6 address embeds by a standard mapping: each
     * form is judged, so ::ffff:127.0.0.1 is loopback and 2002:0a00:0001:: is private.
     */
    static List<byte[]> forms(byte[] a) {
        List<byte[]> out = new ArrayList<>(2);
        out.add(a);
        if (a.length != 16) {
            return out;
        }
        if (zero(a, 0, 10) && (a[10] & 0xFF) == 0xFF && (a[11] & 0xFF) == 0xFF) {
            out.add(slice(a, 12)); // ::ffff:0:0/96 IPv4-mapped, RFC 4291 §2.5.5.2
        } else if (zero(a, 0, 12) && !zero(a, 12, 16)) {
            out.add(slice(a, 12)); // ::/96 IPv4-compatible (deprecated), RFC 4291 §2.5.5.1
        } else if (zero(a, 0, 8) && (a[8] & 0xFF) == 0xFF && (a[9] & 0xFF) == 0xFF && zero(a, 10, 12)) {
            out.add(slice(a, 12)); // ::ffff:0:0:0/96 IPv4-translated (SIIT), RFC 2765
        } else if ((a[0] & 0xFF) == 0x00 && (a[1] & 0xFF) == 0x64 && (a[2] & 0xFF) == 0xFF && (a[3] & 0xFF) == 0x9B
                && zero(a, 4, 12)) {
            out.add(slice(a, 12)); // 64:ff9b::/96 NAT64 well-known prefix, RFC 6052 §2.1
        } else if ((a[0] & 0xFF) == 0x20 && (a[1] & 0xFF) == 0x02) {
            out.add(new byte[] {a[2], a[3], a[4], a[5]}); // 2002::/16 6to4, RFC 3056 §2
        }
        return out;
    }

    private static boolean zero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        return new byte[] {a[from], a[from + 1], a[from + 2], a[from + 3]};
    }

    private static Named named(String name, String cidr) {
        return new Named(name, Cidr.parse(cidr));
    }

    @Override
    public String toString() {
        return "AddressGuard[allow=" + allow + ", deny=" + deny + "]";
    }
}
