package dev.cachalot.origin;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** The set of peers (IP addresses and CIDR blocks) whose forwarding fields are believed. */
public final class TrustedProxies {
    private final List<byte[]> networks = new ArrayList<>();
    private final List<Integer> prefixes = new ArrayList<>();

    /** @param entries IP literals or CIDR blocks (validated by the config loader) */
    public TrustedProxies(List<String> entries) {
        for (String e : entries) {
            int slash = e.indexOf('/');
            byte[] addr = literal(slash < 0 ? e : e.substring(0, slash));
            if (addr == null) {
                throw new IllegalArgumentException("not an IP address: " + e);
            }
            networks.add(addr);
            prefixes.add(slash < 0 ? addr.length * 8 : Integer.parseInt(e.substring(slash + 1)));
        }
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** True when the address (an IP literal) is in one of the trusted blocks. */
    public boolean contains(String address) {
        if (networks.isEmpty() || address == null) {
            return false;
        }
        byte[] a = literal(address);
        if (a == null) {
            return false;
        }
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixes.get(i), a)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(byte[] net, int prefix, byte[] a) {
        if (net.length != a.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (net[i] != a[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xFF << (8 - rest)) & 0xFF;
        return (net[full] & mask) == (a[full] & mask);
    }

    /** Parses an IP literal without any name lookup; null when it is not one. */
    static byte[] literal(String s) {
        String t = s.trim();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isEmpty()) {
            return null;
        }
        boolean v6 = t.indexOf(':') >= 0;
        if (v6 ? !t.matches("[0-9A-Fa-f:.]+") : !t.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            return null;
        }
        try {
            // Only literals reach this point, so no DNS lookup happens.
            byte[] b = InetAddress.getByName(t).getAddress();
            if (b.length == 16 && isV4Mapped(b)) {
                return new byte[] {b[12], b[13], b[14], b[15]};
            }
            return b;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static boolean isV4Mapped(byte[] b) {
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
    }
}
