package dev.cachalot.conformance.origin;

import java.util.ArrayList;
import java.util.List;

/** The origin-side state of one test: its script and every request the origin received for it. */
public final class TestChannel {
    private final List<RecordedRequest> received = new ArrayList<>();
    private volatile Script script = r -> Reply.status(404).header("Cache-Control", "no-store").body("no script");

    /** Replaces the script used for subsequent requests. */
    public void script(Script s) {
        this.script = s;
    }

    Script script() {
        return script;
    }

    synchronized int nextSequence() {
        return received.size() + 1;
    }

    synchronized void record(RecordedRequest r) {
        received.add(r);
        notifyAll();
    }

    /** Number of requests the origin received for this test so far. */
    public synchronized int count() {
        return received.size();
    }

    /** A copy of the requests received so far. */
    public synchronized List<RecordedRequest> requests() {
        return new ArrayList<>(received);
    }

    /** Waits up to {@code timeoutMs} until at least {@code n} requests arrived; returns the count. */
    public synchronized int awaitCount(int n, long timeoutMs) throws InterruptedException {
        long end = System.nanoTime() + timeoutMs * 1_000_000;
        while (received.size() < n) {
            long left = (end - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                break;
            }
            wait(left);
        }
        return received.size();
    }
}
