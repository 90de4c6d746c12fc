package dev.cachalot.forward;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Locale;

/**
 * An address range in CIDR notation (RFC 4632 for IPv4, RFC 4291 §2.3 for IPv6): a network address
 * and a prefix length. Parsing never touches DNS: only IP literals are accepted, and host bits set
 * below the prefix are refused (a typo such as {@code 10.0.0.1/8} is more likely a mistake than an
 * intent). IPv4 and IPv6 ranges are distinct: an IPv4 range never contains an IPv6 address; the
 * {@link AddressGuard} maps embedded IPv4 forms itself.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
    }

    /**
     * Parses {@code address/prefix} or a bare address (a single-host range).
     *
     * @throws IllegalArgumentException naming the text and the rule broken
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        String addr = slash < 0 ? t : t.substring(0, slash);
        byte[] bytes = literal(addr);
        if (bytes == null) {
            throw new IllegalArgumentException("not an IP address literal in CIDR '" + text + "'");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new IllegalArgumentException("prefix length is not a number in CIDR '" + text + "'");
            }
            prefix = Integer.parseInt(p);
            if (prefix > max) {
                throw new IllegalArgumentException("prefix length " + prefix + " exceeds " + max + " in CIDR '"
                        + text + "'");
            }
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException("host bits set in CIDR '" + text + "' (did you mean "
                    + new Cidr(masked, prefix) + "?)");
        }
        return new Cidr(bytes, prefix);
    }

    /** The range of exactly one address. */
    public static Cidr of(InetAddress address) {
        byte[] b = address.getAddress();
        return new Cidr(b, b.length * 8);
    }

    /** The range {@code network/prefix}; host bits below the prefix are cleared. */
    public static Cidr of(byte[] network, int prefix) {
        if (network.length != 4 && network.length != 16) {
            throw new IllegalArgumentException("address must have 4 or 16 bytes");
        }
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix out of range: " + prefix);
        }
        return new Cidr(mask(network, prefix), prefix);
    }

    /**
     * Parses an IP literal (dotted-quad IPv4 with decimal octets, or IPv6 text, optionally in
     * brackets) into its bytes without any name lookup, or returns null when it is not one. IPv6
     * text keeps 16 bytes even for IPv4-mapped forms (the JDK would turn those into IPv4).
     */
    public static byte[] literal(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                return null; // zone ids and anything else are refused
            }
        }
        try {
            InetAddress a = InetAddress.getByName("[" + s + "]"); // a bracketed literal never goes to DNS
            if (a instanceof Inet6Address) {
                return a.getAddress();
            }
            // The JDK folds ::ffff:a.b.c.d into IPv4; keep the IPv6 form the text had.
            byte[] v4 = a.getAddress();
            byte[] b = new byte[16];
            b[10] = (byte) 0xFF;
            b[11] = (byte) 0xFF;
            System.arraycopy(v4, 0, b, 12, 4);
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static byte[] ipv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            // Decimal only, no leading zeros: "010" is octal to some resolvers (inet_aton) and decimal to others.
            if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')
                    || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            int v = Integer.parseInt(p);
            if (v > 255) {
                return null;
            }
            b[i] = (byte) v;
        }
        return b;
    }

    private static byte[] mask(byte[] in, int prefix) {
        byte[] out = in.clone();
        for (int bit = prefix; bit < out.length * 8; bit++) {
            out[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
        }
        return out;
    }

    /** True for an IPv4 range. */
    public boolean isIpv4() {
        return network.length == 4;
    }

    /** The prefix length in bits. */
    public int prefix() {
        return prefix;
    }

    /** The network address bytes (a copy). */
    public byte[] network() {
        return network.clone();
    }

    /** True when {@code address} lies in this range (same family only). */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    /** True when the address given by its 4 or 16 bytes lies in this range (same family only). */
    public boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int m = (0xFF << (8 - rest)) & 0xFF;
        return (address[full] & m) == (network[full] & m);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** Canonical text: {@code 10.0.0.0/8}, {@code fc00:0:0:0:0:0:0:0/7}. */
    @Override
    public String toString() {
        String a;
        try {
            InetAddress ia = network.length == 4 ? Inet4Address.getByAddress(network)
                    : Inet6Address.getByAddress(null, network, null);
            a = ia.getHostAddress().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return a + "/" + prefix;
    }
}
