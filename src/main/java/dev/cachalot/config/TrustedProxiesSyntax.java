package dev.cachalot.config;

/** Syntax check for one trusted-proxy entry: an IPv4/IPv6 literal, optionally with /prefix. */
final class TrustedProxiesSyntax {
    private TrustedProxiesSyntax() {}

    static boolean valid(String s) {
        String addr = s;
        int slash = s.indexOf('/');
        int max = s.indexOf(':') >= 0 ? 128 : 32;
        if (slash >= 0) {
            addr = s.substring(0, slash);
            try {
                int p = Integer.parseInt(s.substring(slash + 1));
                if (p < 0 || p > max) {
                    return false;
                }
            } catch (NumberFormatException e) {
                return false;
            }
        }
        if (addr.indexOf(':') >= 0) {
            return addr.matches("[0-9A-Fa-f:.]+");
        }
        String[] parts = addr.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
