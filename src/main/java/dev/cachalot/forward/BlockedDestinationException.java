package dev.cachalot.forward;

import java.net.UnknownHostException;

/**
 * Thrown when every address a destination resolved to was refused by the {@link AddressGuard}. It
 * extends {@link UnknownHostException} so that HTTP client libraries treat it as a failed lookup and
 * never open a connection.
 */
public final class BlockedDestinationException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    private final String host;
    private final String rule;

    public BlockedDestinationException(String host, String rule) {
        super("destination " + host + " is not allowed (" + rule + ")");
        this.host = host;
        this.rule = rule;
    }

    /** The host that was asked for. */
    public String host() {
        return host;
    }

    /** The guard rule that refused it, e.g. {@code private 10.0.0.0/8}. */
    public String rule() {
        return rule;
    }
}
