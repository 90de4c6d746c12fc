package dev.cachalot.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Hop-by-hop header fields (RFC 9110 §7.6.1): the connection-specific fields a proxy must not
 * forward, plus any field named in Connection.
 */
public final class HopByHop {
    private HopByHop() {}

    /** Fields that are always connection-specific, lower case. */
    public static final Set<String> ALWAYS = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "proxy-authenticate", "proxy-authorization");

    /** True when the name is always hop-by-hop. */
    public static boolean isAlways(String name) {
        return ALWAYS.contains(name.toLowerCase(Locale.ROOT));
    }

    /** The fields to drop: the fixed set plus every field named in Connection. */
    public static HeaderFields strip(HeaderFields fields) {
        List<String> listed = fields.listElements("Connection");
        List<String> drop = new ArrayList<>(ALWAYS.size() + listed.size());
        drop.addAll(ALWAYS);
        drop.addAll(listed);
        return fields.without(drop.toArray(new String[0]));
    }
}
