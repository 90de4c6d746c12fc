package dev.cachalot.server;

import io.undertow.server.protocol.ParseTimeoutUpdater;
import java.lang.reflect.Field;
import org.xnio.ChannelListener;
import org.xnio.StreamConnection;

/**
 * Undertow's per-connection idle timer ({@code server.limits.idleTimeout}, Undertow's
 * NO_REQUEST_TIMEOUT), found for the hit shortcut. Undertow re-arms the timer when an exchange
 * ends and disarms it when the next request is parsed; requests the shortcut answers never reach
 * Undertow's parser, so after each one the shortcut re-arms the timer itself
 * ({@link ParseTimeoutUpdater#connectionIdle()}, a public method), and the connection is closed
 * after the idle timeout counted from the last answer, as on the normal path.
 *
 * <p>Deliberate deviation from "no internals": the updater sits in a private field of Undertow's
 * package-private HTTP read listener, read here once per connection by reflection. When Undertow
 * changes that (the field or the class is gone), {@link #of} says {@link Lookup#UNAVAILABLE} and
 * the shortcut stays off for the connection rather than let a busy connection time out.
 */
final class UndertowIdleTimer {
    private static final String READ_LISTENER = "io.undertow.server.protocol.http.HttpReadListener";
    private static final Field FIELD = find();

    /** What a lookup found. */
    enum Lookup {
        /** The connection has an idle timer ({@link #timer}). */
        TIMER,
        /** The listener runs without idle and parse timeouts: nothing to re-arm. */
        NONE,
        /** Undertow's internals are not as expected: do not shortcut on this connection. */
        UNAVAILABLE
    }

    private UndertowIdleTimer() {
    }

    private static Field find() {
        try {
            Field f = Class.forName(READ_LISTENER, false, ParseTimeoutUpdater.class.getClassLoader())
                    .getDeclaredField("parseTimeoutUpdater");
            if (f.getType() != ParseTimeoutUpdater.class) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** The result of looking at one connection: the kind, and the timer when there is one. */
    record Found(Lookup lookup, ParseTimeoutUpdater timer) {}

    /** Looks the timer of {@code connection} up (from its HTTP/1.1 read listener). */
    static Found of(StreamConnection connection) {
        if (FIELD == null) {
            return new Found(Lookup.UNAVAILABLE, null);
        }
        ChannelListener<?> l = connection.getSourceChannel().getReadListener();
        if (l == null || l.getClass() != FIELD.getDeclaringClass()) {
            return new Found(Lookup.UNAVAILABLE, null);
        }
        try {
            ParseTimeoutUpdater u = (ParseTimeoutUpdater) FIELD.get(l);
            return u == null ? new Found(Lookup.NONE, null) : new Found(Lookup.TIMER, u);
        } catch (IllegalAccessException | RuntimeException e) {
            return new Found(Lookup.UNAVAILABLE, null);
        }
    }
}
