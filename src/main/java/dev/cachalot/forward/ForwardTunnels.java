package dev.cachalot.forward;

import dev.cachalot.metrics.ForwardMetrics;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.ResponseSink;
import dev.cachalot.server.TunnelOpener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CONNECT tunnels (RFC 9110 §9.3.6): the gate (ACL, auth, rules with the CONNECT port allowlist),
 * then resolution through the address guard, then a TCP connection to one of the exact addresses
 * that were checked, never to the name. At most {@code maxTunnels} are open at once (503 beyond).
 */
public final class ForwardTunnels implements TunnelOpener {
    private static final Logger LOG = LoggerFactory.getLogger("cachalot.forward");

    private final ForwardGate gate;
    private final GuardedResolver resolver;
    private final SocketConnector connector;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final int bufferBytes;
    private final Semaphore slots;
    private final int maxTunnels;
    private final ForwardMetrics metrics;

    public ForwardTunnels(ForwardGate gate, GuardedResolver resolver, SocketConnector connector, ForwardConfig config) {
        this(gate, resolver, connector, config, ForwardMetrics.noop());
    }

    /** As above; tunnels opened, refused (after the gate) and closed, with their bytes, go to {@code metrics}. */
    public ForwardTunnels(ForwardGate gate, GuardedResolver resolver, SocketConnector connector, ForwardConfig config,
                          ForwardMetrics metrics) {
        this.metrics = metrics;
        this.gate = gate;
        this.resolver = resolver;
        this.connector = connector;
        this.connectTimeout = config.connectTimeout();
        this.idleTimeout = config.tunnelIdleTimeout();
        this.bufferBytes = config.tunnelBufferBytes();
        this.maxTunnels = config.maxTunnels();
        this.slots = new Semaphore(maxTunnels);
    }

    @Override
    public Socket open(ClientRequest request, ResponseSink sink) throws IOException {
        String host = request.route().host();
        int port = request.route().port();
        String id = request.client().requestId();
        if (gate.admit(request, host, port, true, sink, true) != ForwardGate.Verdict.ADMITTED) {
            return null;
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (BlockedDestinationException e) {
            LOG.info("forward deny request={} client={} target=CONNECT {}:{} reason=\"address {}\"", id,
                    request.client().peerAddress(), host, port, e.rule());
            metrics.tunnelRefused(ForwardMetrics.Refusal.ADDRESS_DENIED);
            sink.outcome("DENIED");
            sink.sendError(403, "403 Forbidden: destination " + host + " is not allowed (" + e.rule() + ") (request "
                    + id + ")");
            return null;
        } catch (UnknownHostException e) {
            metrics.tunnelRefused(ForwardMetrics.Refusal.UNRESOLVABLE);
            sink.outcome("ERROR");
            sink.sendError(502, "502 Bad Gateway: cannot resolve " + host + " (request " + id + ")");
            return null;
        }
        if (!slots.tryAcquire()) {
            metrics.tunnelRefused(ForwardMetrics.Refusal.TUNNEL_LIMIT);
            sink.outcome("OVERLOAD");
            sink.sendError(503, "503 Service Unavailable: too many open tunnels (request " + id + ")");
            return null;
        }
        IOException last = null;
        for (InetAddress a : addresses) {
            try {
                Socket s = connector.connect(new InetSocketAddress(a, port), (int) connectTimeout.toMillis());
                LOG.info("forward tunnel request={} client={} target={}:{} address={}", id,
                        request.client().peerAddress(), host, port, a.getHostAddress());
                metrics.tunnelOpened();
                return s;
            } catch (IOException e) {
                last = e;
            }
        }
        slots.release();
        metrics.tunnelRefused(ForwardMetrics.Refusal.CONNECT_FAILED);
        LOG.info("forward tunnel request={} target={}:{} failed: {}", id, host, port, last == null ? "" : last.toString());
        sink.outcome("ERROR");
        sink.sendError(502, "502 Bad Gateway: could not connect to " + host + ":" + port + " (request " + id + ")");
        return null;
    }

    @Override
    public void closed(ClientRequest request, long bytesFromClient, long bytesToClient) {
        slots.release();
        metrics.tunnelClosed(bytesFromClient, bytesToClient);
        LOG.debug("forward tunnel closed request={} up={} down={}", request.client().requestId(), bytesFromClient,
                bytesToClient);
    }

    @Override
    public Duration idleTimeout() {
        return idleTimeout;
    }

    @Override
    public int bufferBytes() {
        return bufferBytes;
    }

    /** Tunnels open now. */
    public int openTunnels() {
        return maxTunnels - slots.availablePermits();
    }
}
