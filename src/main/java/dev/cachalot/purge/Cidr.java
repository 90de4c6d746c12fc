package dev.cachalot.purge;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An address range in CIDR notation (RFC 4632, RFC 4291 §2.3), IP literals only (never DNS), host
 * bits below the prefix refused. IPv4 and IPv6 ranges are distinct, except that an IPv4-mapped
 * IPv6 client address ({@code ::ffff:a.b.c.d}) is matched as the IPv4 address it carries.
 *
 * <p>Deliberate duplicate: the forward-proxy branch has a fuller {@code dev.cachalot.forward.Cidr};
 * once both are merged this one should go and the purge allow list use that one.
 */
public final class Cidr {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses {@code address/prefix} or a bare address (one host).
     *
     * @throws IllegalArgumentException naming the text and the rule broken
     */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty CIDR");
        }
        String t = text.trim();
        int slash = t.indexOf('/');
        byte[] addr = literal(slash < 0 ? t : t.substring(0, slash));
        if (addr == null) {
            throw new IllegalArgumentException("'" + text + "' is not an IP address literal or CIDR range");
        }
        int max = addr.length * 8;
        int prefix = max;
        if (slash >= 0) {
            String p = t.substring(slash + 1);
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(p) > max) {
                throw new IllegalArgumentException("prefix length in '" + text + "' must be 0.." + max);
            }
            prefix = Integer.parseInt(p);
        }
        byte[] masked = mask(addr, prefix);
        if (!Arrays.equals(masked, addr)) {
            throw new IllegalArgumentException("host bits are set below the prefix in '" + text + "'");
        }
        return new Cidr(addr, prefix, t);
    }

    /** True when {@code address} (an IP literal; anything else is false) lies in this range. */
    public boolean contains(String address) {
        byte[] a = literal(address);
        if (a == null) {
            return false;
        }
        if (a.length == 16 && network.length == 4 && isIpv4Mapped(a)) {
            a = Arrays.copyOfRange(a, 12, 16);
        }
        return a.length == network.length && Arrays.equals(mask(a, prefix), network);
    }

    @Override
    public String toString() {
        return text;
    }

    /** The bytes of an IPv4 (dotted decimal) or IPv6 literal, brackets and zone id allowed; else null. */
    static byte[] literal(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String s = text;
        if (s.startsWith("[") && s.endsWith("]")) {
            s = s.substring(1, s.length() - 1);
        }
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone);
        }
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                return null;
            }
        }
        try {
            byte[] b = InetAddress.getByName("[" + s + "]").getAddress(); // a bracketed literal never uses DNS
            if (b.length == 4) { // the JDK folds ::ffff:a.b.c.d to IPv4: keep the 16-byte form
                byte[] m = new byte[16];
                m[10] = (byte) 0xff;
                m[11] = (byte) 0xff;
                System.arraycopy(b, 0, m, 12, 4);
                return m;
            }
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
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
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

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static byte[] mask(byte[] a, int prefix) {
        byte[] m = a.clone();
        for (int i = 0; i < m.length; i++) {
            int bits = Math.max(0, Math.min(8, prefix - i * 8));
            m[i] = (byte) (m[i] & (0xff << (8 - bits)));
        }
        return m;
    }
}
