package dev.cachalot.origin.pool;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.StaticOriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.RequestBody;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The inner client for pool tests: each server (by port) answers as its script says (a status, or a
 * failure before the head, optionally after opening the request body); every send is recorded.
 */
final class ScriptedServers implements OriginClient {
    /** How one server answers. */
    record Script(int status, OriginException.Kind failure, boolean openBodyFirst) {
        static Script ok() {
            return new Script(200, null, false);
        }

        static Script status(int s) {
            return new Script(s, null, false);
        }

        static Script fail(OriginException.Kind k) {
            return new Script(0, k, false);
        }

        static Script failAfterOpeningBody(OriginException.Kind k) {
            return new Script(0, k, true);
        }
    }

    final Map<Integer, Script> scripts = new ConcurrentHashMap<>();
    final List<OriginTarget> sent = new CopyOnWriteArrayList<>();
    boolean closed;

    void set(int port, Script s) {
        scripts.put(port, s);
    }

    long sentTo(int port) {
        return sent.stream().filter(t -> t.port() == port).count();
    }

    @Override
    public OriginResponse send(OriginTarget target, RequestHead head, RequestBody body) throws OriginException {
        sent.add(target);
        Script s = scripts.getOrDefault(target.port(), Script.ok());
        if (s.openBodyFirst() && body != null) {
            try {
                body.open().readAllBytes();
            } catch (IOException e) {
                throw new OriginException(OriginException.Kind.CLIENT_BODY, e.toString(), e);
            }
        }
        if (s.failure() != null) {
            throw new OriginException(s.failure(), "scripted", null);
        }
        byte[] b = ("server " + target.port()).getBytes(StandardCharsets.UTF_8);
        ResponseHead rh = new ResponseHead(s.status(), "X", HeaderFields.of("Content-Length",
                Integer.toString(b.length)));
        InputStream in = new ByteArrayInputStream(b);
        return new StaticOriginResponse(rh, in, b.length, 1);
    }

    @Override
    public PoolStats poolStats() {
        return new PoolStats(0, 0, 0, 1);
    }

    @Override
    public void close() {
        closed = true;
    }
}
