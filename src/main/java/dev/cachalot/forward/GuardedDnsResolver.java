package dev.cachalot.forward;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The HttpClient 5 hook for the address guard: installed with
 * {@code PoolingHttpClientConnectionManagerBuilder.setDnsResolver}, it makes the client connect only
 * to addresses the guard checked (HttpClient's connection operator connects to exactly the
 * addresses its resolver returns). A refused destination surfaces as a
 * {@link BlockedDestinationException}, an {@link UnknownHostException}, before any socket is opened.
 */
public final class GuardedDnsResolver implements DnsResolver {
    private final GuardedResolver resolver;

    public GuardedDnsResolver(GuardedResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        return resolver.resolve(host).toArray(new InetAddress[0]);
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        // Used only for Kerberos/SPNEGO names, which the proxy never does; no reverse lookup.
        return host;
    }
}
