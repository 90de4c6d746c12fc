package dev.cachalot.pipeline;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.origin.OriginClient;
import dev.cachalot.origin.OriginException;
import dev.cachalot.origin.OriginResponse;
import dev.cachalot.origin.StaticOriginResponse;
import dev.cachalot.origin.OriginTarget;
import dev.cachalot.origin.RequestBody;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scripted origin: answers each request with a {@link Script} chosen by a function of the
 * request, counts and records requests, and can hold the head or each body chunk behind a latch,
 * cut the body off, or fail before the head. No sockets, no sleeps.
 */
final class FakeOrigin implements OriginClient {
    /** How to answer one request. */
    static final class Script {
        int status = 200;
        HeaderFields headers = HeaderFields.empty();
        List<byte[]> chunks = new ArrayList<>();
        /** Gate before the head is returned (null: none). */
        CountDownLatch headGate;
        /** Gate before chunk i is delivered (gates.get(i), null: none). */
        List<CountDownLatch> chunkGates = new ArrayList<>();
        /** Announced length; -2 means "sum of the chunks", -1 means unknown. */
        long contentLength = -2;
        /** Throw RESET after the chunks instead of ending cleanly. */
        boolean cutAfterChunks;
        /** Fail before the head with this kind (null: answer). */
        OriginException.Kind failure;

        static Script ok(String body, String... headers) {
            Script s = new Script();
            s.headers = HeaderFields.of(headers);
            s.chunks.add(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return s;
        }

        static Script status(int status, String body, String... headers) {
            Script s = ok(body, headers);
            s.status = status;
            return s;
        }

        static Script fail(OriginException.Kind kind) {
            Script s = new Script();
            s.failure = kind;
            return s;
        }

        Script chunks(byte[]... parts) {
            chunks = new ArrayList<>(List.of(parts));
            return this;
        }

        Script gateChunk(int index, CountDownLatch gate) {
            while (chunkGates.size() <= index) {
                chunkGates.add(null);
            }
            chunkGates.set(index, gate);
            return this;
        }

        Script holdHead(CountDownLatch gate) {
            headGate = gate;
            return this;
        }

        Script length(long n) {
            contentLength = n;
            return this;
        }

        Script cut() {
            cutAfterChunks = true;
            return this;
        }

        long announced() {
            if (contentLength != -2) {
                return contentLength;
            }
            long n = 0;
            for (byte[] c : chunks) {
                n += c.length;
            }
            return n;
        }
    }

    private volatile Function<RequestHead, Script> script;
    private final AtomicInteger count = new AtomicInteger();
    private final List<RequestHead> requests = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> countWatchers = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger bodiesFinished = new AtomicInteger();

    FakeOrigin(Function<RequestHead, Script> script) {
        this.script = script;
    }

    void script(Function<RequestHead, Script> s) {
        this.script = s;
    }

    int requestCount() {
        return count.get();
    }

    List<RequestHead> requests() {
        return requests;
    }

    RequestHead lastRequest() {
        return requests.get(requests.size() - 1);
    }

    int bodiesFinished() {
        return bodiesFinished.get();
    }

    /** Waits (bounded) until at least {@code n} requests arrived. */
    boolean awaitRequests(int n) throws InterruptedException {
        CountDownLatch l = new CountDownLatch(1);
        countWatchers.add(l);
        if (count.get() >= n) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count.get() < n) {
            if (!l.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
            l = new CountDownLatch(1);
            countWatchers.add(l);
        }
        return true;
    }

    @Override
    public OriginResponse send(OriginTarget target, RequestHead head, RequestBody body) throws OriginException {
        requests.add(head);
        count.incrementAndGet();
        synchronized (countWatchers) {
            for (CountDownLatch l : countWatchers) {
                l.countDown();
            }
            countWatchers.clear();
        }
        Script s = script.apply(head);
        if (s.headGate != null) {
            await(s.headGate);
        }
        if (s.failure != null) {
            throw new OriginException(s.failure, "scripted", null);
        }
        HeaderFields h = s.headers;
        long len = head.isMethod("HEAD") || s.status == 304 || s.status == 204 ? 0 : s.announced();
        if (len >= 0 && !h.contains("Content-Length") && !head.isMethod("HEAD")
                && s.status != 304 && s.status != 204) {
            h = h.toBuilder().add("Content-Length", Long.toString(len)).build();
        }
        ResponseHead rh = new ResponseHead(s.status, h);
        boolean noBody = head.isMethod("HEAD") || s.status == 304 || s.status == 204;
        InputStream in = noBody ? InputStream.nullInputStream() : new ScriptedBody(s);
        long length = noBody ? 0 : s.contentLength == -1 ? -1 : s.announced();
        return new StaticOriginResponse(rh, in, length, 1000);
    }

    private static void await(CountDownLatch l) {
        try {
            if (!l.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test gate never opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The body stream: chunk by chunk, each possibly gated, then end or RESET. */
    private final class ScriptedBody extends InputStream {
        private final Script s;
        private int chunk;
        private int pos;

        ScriptedBody(Script s) {
            this.s = s;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (chunk < s.chunks.size() && pos == s.chunks.get(chunk).length) {
                chunk++;
                pos = 0;
            }
            if (chunk >= s.chunks.size()) {
                if (s.cutAfterChunks) {
                    throw new OriginException(OriginException.Kind.RESET, "scripted cut", null);
                }
                bodiesFinished.incrementAndGet();
                return -1;
            }
            if (pos == 0 && chunk < s.chunkGates.size() && s.chunkGates.get(chunk) != null) {
                await(s.chunkGates.get(chunk));
            }
            byte[] c = s.chunks.get(chunk);
            int n = Math.min(len, c.length - pos);
            System.arraycopy(c, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    @Override
    public PoolStats poolStats() {
        return new PoolStats(0, 0, 0, 0);
    }

    @Override
    public void close() {}
}
