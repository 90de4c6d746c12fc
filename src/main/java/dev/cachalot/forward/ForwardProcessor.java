package dev.cachalot.forward;

import dev.cachalot.metrics.ForwardMetrics;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.ResponseSink;
import java.io.IOException;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request processor of the forward listener for ordinary (absolute-form) requests: runs the
 * {@link ForwardGate}, checks that the destination resolves to an address the guard allows (for a
 * clear 403 before any origin work), then hands the request to the shared processor (the caching
 * pipeline or the pass-through). The origin client itself must use {@link GuardedDnsResolver}, so
 * the address it connects to is checked again at connect time (DNS rebinding).
 */
public final class ForwardProcessor implements RequestProcessor {
    private static final Logger LOG = LoggerFactory.getLogger("cachalot.forward");

    private final ForwardGate gate;
    private final GuardedResolver resolver;
    private final RequestProcessor inner;
    private final ForwardMetrics metrics;

    public ForwardProcessor(ForwardGate gate, GuardedResolver resolver, RequestProcessor inner) {
        this(gate, resolver, inner, ForwardMetrics.noop());
    }

    /** As above; address-guard refusals are counted in {@code metrics} (the gate counts its own). */
    public ForwardProcessor(ForwardGate gate, GuardedResolver resolver, RequestProcessor inner,
                            ForwardMetrics metrics) {
        this.metrics = metrics;
        this.gate = gate;
        this.resolver = resolver;
        this.inner = inner;
    }

    @Override
    public boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
        ForwardGate.Verdict v = gate.admit(request, request.route().host(), request.route().port(), false, sink, false);
        if (v == ForwardGate.Verdict.NEEDS_WORKER) {
            return false;
        }
        // A fresh hit in memory needs no connection, so the address guard is not consulted here.
        return v != ForwardGate.Verdict.ADMITTED || inner.tryAnswerNow(request, sink);
    }

    @Override
    public void process(ClientRequest request, ResponseSink sink) throws IOException {
        String host = request.route().host();
        if (gate.admit(request, host, request.route().port(), false, sink, true) != ForwardGate.Verdict.ADMITTED) {
            return;
        }
        String id = request.client().requestId();
        try {
            resolver.resolve(host);
        } catch (BlockedDestinationException e) {
            LOG.info("forward deny request={} client={} host={} reason=\"address {}\"", id,
                    request.client().peerAddress(), host, e.rule());
            metrics.requestRefused(ForwardMetrics.Refusal.ADDRESS_DENIED);
            sink.outcome("DENIED");
            sink.sendError(403, "403 Forbidden: destination " + host + " is not allowed (" + e.rule() + ") (request "
                    + id + ")");
            return;
        } catch (UnknownHostException e) {
            sink.outcome("ERROR");
            sink.sendError(502, "502 Bad Gateway: cannot resolve " + host + " (request " + id + ")");
            return;
        }
        inner.process(request, sink);
    }
}
