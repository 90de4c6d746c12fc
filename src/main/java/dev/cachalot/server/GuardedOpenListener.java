package dev.cachalot.server;

import dev.cachalot.metrics.ProxyMetrics;
import io.undertow.connector.ByteBufferPool;
import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.ConnectorStatistics;
import io.undertow.server.DelegateOpenListener;
import io.undertow.server.HttpHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;

/**
 * The HTTP/1.x open listener with Cachalot's strict framing check in front of Undertow's: installs
 * a {@link StrictFramingConduit} under Undertow's parser on every connection.
 */
final class GuardedOpenListener implements DelegateOpenListener {
    private static final Map<StreamConnection, ConnectionGuard> GUARDS =
            Collections.synchronizedMap(new WeakHashMap<>());

    private final HttpOpenListener delegate;
    private final FramingScanner.Rules rules;
    private final ProxyMetrics metrics;
    /** The hit shortcut of a plain reverse listener, or null. */
    private final HitShortcut shortcut;

    GuardedOpenListener(HttpOpenListener delegate, FramingScanner.Rules rules, ProxyMetrics metrics) {
        this(delegate, rules, metrics, null);
    }

    /** @param shortcut the hit shortcut for every connection (plain reverse listener), or null for none */
    GuardedOpenListener(HttpOpenListener delegate, FramingScanner.Rules rules, ProxyMetrics metrics,
                        HitShortcut shortcut) {
        this.delegate = delegate;
        this.rules = rules;
        this.metrics = metrics;
        this.shortcut = shortcut;
    }

    /** The guard of an HTTP/1.x connection, or null (HTTP/2, unknown). */
    static ConnectionGuard guardOf(StreamConnection connection) {
        return GUARDS.get(connection);
    }

    @Override
    public void handleEvent(StreamConnection channel) {
        handleEvent(channel, null);
    }

    @Override
    public void handleEvent(StreamConnection channel, PooledByteBuffer buffer) {
        ConnectionGuard guard = new ConnectionGuard(new FramingScanner(rules));
        // A listener with CONNECT tunnels is a forward listener: there the Host of absolute-form
        // requests is replaced by the target's authority (RFC 9112 §3.2.2, see HostRewriter).
        StrictFramingConduit conduit = new StrictFramingConduit(channel.getSourceChannel().getConduit(), channel,
                guard, metrics, rules.connectTunnels());
        channel.getSourceChannel().setConduit(conduit);
        if (shortcut != null && !rules.connectTunnels()) {
            conduit.shortcut(new ShortcutConnection(shortcut, channel, guard, conduit.below()));
        }
        GUARDS.put(channel, guard);
        if (buffer != null) {
            conduit.scanPreRead(buffer.getBuffer());
        }
        delegate.handleEvent(channel, buffer);
    }

    @Override
    public HttpHandler getRootHandler() {
        return delegate.getRootHandler();
    }

    @Override
    public void setRootHandler(HttpHandler rootHandler) {
        delegate.setRootHandler(rootHandler);
    }

    @Override
    public OptionMap getUndertowOptions() {
        return delegate.getUndertowOptions();
    }

    @Override
    public void setUndertowOptions(OptionMap undertowOptions) {
        delegate.setUndertowOptions(undertowOptions);
    }

    @Override
    public ByteBufferPool getBufferPool() {
        return delegate.getBufferPool();
    }

    @Override
    public ConnectorStatistics getConnectorStatistics() {
        return delegate.getConnectorStatistics();
    }

    @Override
    public void closeConnections() {
        delegate.closeConnections();
    }
}
