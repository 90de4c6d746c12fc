package dev.cachalot.forward;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolution followed by the address guard: the only way the forward proxy learns where to
 * connect. The addresses it returns are the ones that were checked, and callers connect to those
 * exact addresses (never re-resolving the name), so a DNS answer that changes between a check and
 * a connect (rebinding) cannot slip past.
 */
public final class GuardedResolver {
    private static final Logger LOG = LoggerFactory.getLogger("cachalot.forward");

    private final DestinationResolver resolver;
    private final AddressGuard guard;

    public GuardedResolver(DestinationResolver resolver, AddressGuard guard) {
        this.resolver = resolver;
        this.guard = guard;
    }

    /**
     * Resolves {@code host} and keeps only the addresses the guard allows, in resolver order.
     *
     * @throws BlockedDestinationException when every address was refused
     * @throws UnknownHostException        when the name does not resolve
     */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        List<InetAddress> all = resolver.resolve(host);
        List<InetAddress> allowed = new ArrayList<>(all.size());
        String firstRule = null;
        for (InetAddress a : all) {
            AddressGuard.Verdict v = guard.check(a);
            if (v.allowed()) {
                allowed.add(a);
            } else if (firstRule == null) {
                firstRule = v.rule();
            }
            if (v.outcome() != AddressGuard.Outcome.ALLOWED) {
                LOG.info("address guard: host={} address={} outcome={} rule={}", host, a.getHostAddress(),
                        v.outcome(), v.rule());
            }
        }
        if (allowed.isEmpty()) {
            if (firstRule == null) {
                throw new UnknownHostException("no address for " + host);
            }
            throw new BlockedDestinationException(host, firstRule);
        }
        return allowed;
    }

    public AddressGuard guard() {
        return guard;
    }
}
