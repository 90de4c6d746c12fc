package dev.cachalot.pipeline;

import dev.cachalot.http.ResponseHead;
import dev.cachalot.server.PreparedHead;
import dev.cachalot.server.ResponseSink;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ResponseSink} that records what the pipeline sent: head, body, outcome, and whether the
 * response ended cleanly or was aborted after the head. Optional gate: writes block until it opens
 * (a slow client).
 */
final class RecordingSink implements ResponseSink {
    volatile ResponseHead head;
    volatile long announcedLength = Long.MIN_VALUE;
    volatile String outcome;
    volatile int errorStatus;
    volatile boolean completed;
    volatile boolean aborted;
    volatile boolean viaSendComplete;
    /** The prepared head of the last {@link #sendComplete(PreparedHead, ByteBuffer)} call, if any. */
    volatile PreparedHead prepared;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final CountDownLatch firstBytes = new CountDownLatch(1);
    final CountDownLatch done = new CountDownLatch(1);
    /** Opens when the first body write is attempted (before any write gate). */
    final CountDownLatch writeAttempted = new CountDownLatch(1);
    volatile CountDownLatch writeGate;
    volatile boolean failWrites;
    /** When set, called after each streamed body write with the number of body bytes written so far. */
    volatile java.util.function.LongConsumer afterWrite;
    /** When set, sendError blocks on it after recording the error (to hold a leader before it finishes). */
    volatile CountDownLatch errorGate;

    /** Resources the pipeline asked to close when the response is done (closed by {@link #finish()}). */
    final java.util.List<AutoCloseable> toRelease = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void releaseAfterResponse(AutoCloseable resource) {
        toRelease.add(resource);
    }

    /** The response is done (everything was copied): close what was handed over, then signal. */
    private void finish() {
        for (AutoCloseable r : toRelease) {
            try {
                r.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        done.countDown();
    }

    @Override
    public synchronized void sendComplete(ResponseHead h, ByteBuffer... buffers) {
        check();
        head = h;
        viaSendComplete = true;
        long n = 0;
        for (ByteBuffer b : buffers) {
            ByteBuffer d = b.duplicate();
            n += d.remaining();
            byte[] a = new byte[d.remaining()];
            d.get(a);
            body.write(a, 0, a.length);
        }
        announcedLength = n;
        if (n > 0) {
            firstBytes.countDown();
        }
        completed = true;
        finish();
    }

    @Override
    public synchronized void sendComplete(PreparedHead h, ByteBuffer body) {
        prepared = h;
        sendComplete(h.head(), body);
    }

    @Override
    public synchronized OutputStream start(ResponseHead h, long contentLength) {
        check();
        head = h;
        announcedLength = contentLength;
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeAttempted.countDown();
                CountDownLatch g = writeGate;
                if (g != null) {
                    try {
                        g.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        throw new IOException(e);
                    }
                }
                if (failWrites) {
                    throw new IOException("client went away");
                }
                long total;
                synchronized (RecordingSink.this) {
                    body.write(b, off, len);
                    total = body.size();
                }
                java.util.function.LongConsumer hook = afterWrite;
                if (hook != null) {
                    hook.accept(total);
                }
                if (len > 0) {
                    firstBytes.countDown();
                }
            }

            @Override
            public void close() {
                if (!aborted) {
                    completed = true;
                }
                finish();
            }
        };
    }

    private void check() {
        if (head != null) {
            throw new IllegalStateException("a second response for one request");
        }
    }

    @Override
    public synchronized void sendHeadOnly(ResponseHead h) {
        check();
        head = h;
        String cl = h.headers().first("Content-Length");
        announcedLength = cl == null ? -1 : Long.parseLong(cl);
        completed = true;
        finish();
    }

    @Override
    public synchronized void sendError(int status, String message) {
        if (head != null) {
            aborted = true;
        } else {
            errorStatus = status;
        }
        finish();
        CountDownLatch g = errorGate;
        if (g != null) {
            try {
                g.await(20, java.util.concurrent.TimeUnit.SECONDS); // holds the caller (e.g. a leader) here
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isStarted() {
        return head != null;
    }

    @Override
    public void outcome(String o) {
        outcome = o;
    }

    @Override
    public void originNanos(long nanos) {}

    @Override
    public void closeConnection() {}

    synchronized String bodyText() {
        return body.toString(StandardCharsets.UTF_8);
    }

    synchronized byte[] bodyBytes() {
        return body.toByteArray();
    }

    int status() {
        return head == null ? errorStatus : head.status();
    }

    String header(String name) {
        return head == null ? null : head.headers().first(name);
    }

    boolean awaitDone() throws InterruptedException {
        return done.await(30, TimeUnit.SECONDS);
    }
}
