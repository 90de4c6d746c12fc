package dev.cachalot.server;

import dev.cachalot.http.ResponseHead;
import java.util.Objects;

/**
 * A response head that is sent many times unchanged, so that a {@link ResponseSink} can encode it
 * once and reuse the encoding. The cache's hit path keeps one per stored entry version and
 * per-second inputs (Age, the Cache-Status ttl and a missing Date change once a second), so a hot
 * object's head is shaped, stripped of hop-by-hop fields and converted to the adapter's form about
 * once a second instead of on every hit. The encoding is held in an opaque slot owned by the sink
 * implementation; the head itself is immutable.
 */
public final class PreparedHead {
    private final ResponseHead head;
    /** The sink's encoded form, built on first use (benign race: equal encodings may be built twice). */
    private volatile Object encoded;
    /** The hit shortcut's wire bytes ({@link WireHead#forHit}), built on first use (same benign race). */
    private volatile Object wire;

    public PreparedHead(ResponseHead head) {
        this.head = Objects.requireNonNull(head, "head");
    }

    /** The head as the pipeline built it (hop-by-hop fields not yet removed). */
    public ResponseHead head() {
        return head;
    }

    Object encoded() {
        return encoded;
    }

    void encoded(Object e) {
        encoded = e;
    }

    Object wire() {
        return wire;
    }

    void wire(Object w) {
        wire = w;
    }
}
