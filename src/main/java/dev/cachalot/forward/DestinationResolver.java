package dev.cachalot.forward;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The name-resolution seam of the forward proxy: turns a host name (or IP literal) into addresses.
 * Tests plug in a fake that maps names to fixed addresses; production uses {@link #system()}.
 */
@FunctionalInterface
public interface DestinationResolver {
    /**
     * Resolves {@code host} (a name or an IP literal, IPv6 with or without brackets).
     *
     * @return at least one address
     * @throws UnknownHostException when the name does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The JDK resolver ({@link InetAddress#getAllByName}); IP literals never reach DNS. */
    static DestinationResolver system() {
        return host -> {
            byte[] literal = Cidr.literal(host);
            if (literal != null) {
                return List.of(InetAddress.getByAddress(literal));
            }
            if (host.indexOf(':') >= 0 || host.startsWith("[")) {
                throw new UnknownHostException("invalid IP literal: " + host);
            }
            return List.of(InetAddress.getAllByName(host));
        };
    }
}
