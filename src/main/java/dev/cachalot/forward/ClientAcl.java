package dev.cachalot.forward;

import java.net.InetAddress;
import java.util.List;

/**
 * Which client addresses may use the forward proxy: a list of CIDR ranges matched against the
 * connection's peer address (never a forwarded header). An empty list admits nobody; the default
 * configuration admits loopback and the RFC 1918 / ULA ranges a company's machines live in.
 */
public final class ClientAcl {
    private final List<Cidr> allowed;

    public ClientAcl(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    /** True when the peer address lies in one of the allowed ranges (IPv4-mapped peers count as IPv4). */
    public boolean admits(InetAddress peer) {
        for (byte[] form : AddressGuard.forms(peer.getAddress())) {
            for (Cidr c : allowed) {
                if (c.contains(form)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when the textual peer address (an IP literal) is admitted; anything else is refused. */
    public boolean admits(String peer) {
        byte[] b = Cidr.literal(peer);
        if (b == null) {
            return false;
        }
        for (byte[] form : AddressGuard.forms(b)) {
            for (Cidr c : allowed) {
                if (c.contains(form)) {
                    return true;
                }
            }
        }
        return false;
    }

    public List<Cidr> ranges() {
        return allowed;
    }
}
