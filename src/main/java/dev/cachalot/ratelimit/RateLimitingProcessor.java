package dev.cachalot.ratelimit;

import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.ResponseSink;
import java.io.IOException;
import java.util.Objects;

/**
 * A {@link RequestProcessor} decorator that applies the request rate limits. Where a request is
 * charged depends on {@code rateLimits.exemptHits}:
 * <ul>
 *   <li>limits off: nothing is charged; the fast path costs one volatile read;</li>
 *   <li>hits charged: before anything else, on the I/O thread in {@link #tryAnswerNow} (a refusal
 *       costs no thread hop); when the fast path then declines, the token is given back and
 *       {@link #process} charges again on the worker, so each request is charged exactly once;</li>
 *   <li>hits exempt: the fast path is the wrapped processor's own and never touches the limiter;
 *       the caching pipeline charges the request after its lookup, through
 *       {@link RateLimitGate#originAdmission()}, only when it is about to reach the origin. A
 *       wrapped processor without that seam ({@code gatesOrigin} false: the pass-through proxy)
 *       has no hits, so every request is charged in {@link #process}.</li>
 * </ul>
 */
public final class RateLimitingProcessor implements RequestProcessor {
    private final RequestProcessor next;
    private final RateLimitGate gate;
    private final boolean gatesOrigin;

    /**
     * @param next        the processor to protect
     * @param gate        the limiter and its 429 answer
     * @param gatesOrigin true when {@code next} calls {@code gate.originAdmission()} before it
     *                    contacts the origin (the caching pipeline built with it)
     */
    public RateLimitingProcessor(RequestProcessor next, RateLimitGate gate, boolean gatesOrigin) {
        this.next = Objects.requireNonNull(next, "next");
        this.gate = Objects.requireNonNull(gate, "gate");
        this.gatesOrigin = gatesOrigin;
    }

    @Override
    public boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
        RateLimitConfig c = gate.limiter().config();
        if (!c.enabled() || c.exemptHits()) {
            return next.tryAnswerNow(request, sink);
        }
        Admission.Admitted a = gate.acquire(request, sink);
        if (a == null) {
            return true; // refused: 429 sent from the I/O thread
        }
        if (next.tryAnswerNow(request, sink)) {
            return true;
        }
        gate.limiter().release(a); // process() charges it again
        return false;
    }

    @Override
    public void process(ClientRequest request, ResponseSink sink) throws IOException {
        RateLimitConfig c = gate.limiter().config();
        if (c.enabled() && !(c.exemptHits() && gatesOrigin) && gate.acquire(request, sink) == null) {
            return;
        }
        next.process(request, sink);
    }
}
