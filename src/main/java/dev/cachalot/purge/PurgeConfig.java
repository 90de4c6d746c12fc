package dev.cachalot.purge;

import dev.cachalot.forward.Cidr;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The {@code purge.*} settings.
 *
 * @param enabled         answer the {@code PURGE} method on the public listener (default false:
 *                        PURGE gets 405)
 * @param allowFrom       client address ranges allowed to send {@code PURGE} (default loopback:
 *                        127.0.0.1/32 and ::1/128); others get 403
 * @param tagHeaders      response fields origins label objects with (default Surrogate-Key,
 *                        Cache-Tag). Stored with the response; purge by tag reads an entry's tags
 *                        from them (space/comma separated lists)
 * @param stripTagHeaders remove the tag fields from responses sent to clients (default true;
 *                        {@link #clientHiddenFields()}, applied by {@code ProxyHeaders.toClient})
 */
public record PurgeConfig(boolean enabled, List<Cidr> allowFrom, List<String> tagHeaders, boolean stripTagHeaders) {
    /** The defaults: PURGE off, loopback only, the two common tag fields, stripped. */
    public static final PurgeConfig DEFAULTS = of(false, List.of("127.0.0.1/32", "::1/128"),
            List.of("Surrogate-Key", "Cache-Tag"), true);

    public PurgeConfig {
        allowFrom = List.copyOf(allowFrom);
        tagHeaders = List.copyOf(tagHeaders);
    }

    /**
     * The fields to remove from every response sent to clients: the tag fields when
     * {@code stripTagHeaders} is on, else none. Given to {@code ProxyHeaders}, whose client head is
     * built once per stored entry version on the hit path (no per-request work).
     */
    public List<String> clientHiddenFields() {
        return stripTagHeaders ? tagHeaders : List.of();
    }

    /**
     * Builds and validates the settings from their textual values.
     *
     * @throws IllegalArgumentException whose message names the key ({@code purge.allowFrom[i]},
     *                                  {@code purge.tagHeaders[i]}), the value and the rule
     */
    public static PurgeConfig of(boolean enabled, List<String> allowFrom, List<String> tagHeaders,
                                 boolean stripTagHeaders) {
        Objects.requireNonNull(allowFrom, "purge.allowFrom");
        Objects.requireNonNull(tagHeaders, "purge.tagHeaders");
        List<Cidr> ranges = new ArrayList<>();
        for (int i = 0; i < allowFrom.size(); i++) {
            String v = allowFrom.get(i);
            try {
                ranges.add(Cidr.parse(v));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("purge.allowFrom[" + i + "]: '" + v
                        + "' must be an IP address or CIDR range such as 10.0.0.0/8 or ::1/128 (" + e.getMessage() + ")");
            }
        }
        if (enabled && ranges.isEmpty()) {
            throw new IllegalArgumentException("purge.allowFrom: [] must name at least one range when purge.enabled"
                    + " is true (nobody could purge)");
        }
        for (int i = 0; i < tagHeaders.size(); i++) {
            String v = tagHeaders.get(i);
            // RFC 9110 §5.1: a field name is a token.
            if (v == null || v.isEmpty() || !v.chars().allMatch(PurgeConfig::tchar)) {
                throw new IllegalArgumentException("purge.tagHeaders[" + i + "]: '" + v
                        + "' must be a header field name (letters, digits and !#$%&'*+-.^_`|~)");
            }
        }
        return new PurgeConfig(enabled, ranges, tagHeaders, stripTagHeaders);
    }

    /**
     * True when {@code address} (an IP literal as the front end reports client addresses; brackets
     * and an IPv6 zone id are ignored; anything else is false) lies in one of the {@link #allowFrom}
     * ranges. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291 §2.5.5.2) is matched as
     * the IPv4 address it carries, so a dual-stack listener's clients meet the IPv4 ranges.
     */
    public boolean allows(String address) {
        if (address == null) {
            return false;
        }
        String s = address;
        int zone = s.indexOf('%');
        if (zone >= 0) {
            s = s.substring(0, zone) + (s.startsWith("[") ? "]" : "");
        }
        byte[] a = Cidr.literal(s);
        if (a == null) {
            return false;
        }
        byte[] v4 = a.length == 16 && isIpv4Mapped(a) ? Arrays.copyOfRange(a, 12, 16) : null;
        for (Cidr c : allowFrom) {
            if (c.contains(a) || (v4 != null && c.contains(v4))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isIpv4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }

    private static boolean tchar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
