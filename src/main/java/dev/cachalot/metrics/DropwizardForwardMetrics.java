package dev.cachalot.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The forward proxy's metrics on Dropwizard (created by {@link DropwizardProxyMetrics#forward()}):
 * requests by outcome, tunnels by result, open tunnels, tunnelled bytes and per-host rules applied.
 * Every label value comes from a fixed set; nothing throws (a failure is handed to the owner's error
 * counter).
 */
final class DropwizardForwardMetrics implements ForwardMetrics {
    /** The route name the front end gives every request of the forward listener. */
    static final String ROUTE = "forward";
    /** The rejection reason of a forward-listener request whose target is not absolute-form (400). */
    static final String BAD_TARGET_REASON = "forward-target";

    private final BiFunction<MetricDef, List<String>, Meter> meters;
    private final Consumer<RuntimeException> failed;
    private final Map<String, Meter> requests = new ConcurrentHashMap<>();
    private final Map<String, Meter> tunnels = new ConcurrentHashMap<>();
    private final Map<String, Meter> rules = new ConcurrentHashMap<>();
    private final Counter active;
    private final Meter bytesUp;
    private final Meter bytesDown;

    DropwizardForwardMetrics(BiFunction<MetricDef, List<String>, Meter> meters, Counter active,
                             Consumer<RuntimeException> failed) {
        this.meters = meters;
        this.failed = failed;
        this.active = active;
        this.bytesUp = meters.apply(MetricNames.FORWARD_TUNNEL_BYTES, List.of("up"));
        this.bytesDown = meters.apply(MetricNames.FORWARD_TUNNEL_BYTES, List.of("down"));
    }

    /**
     * The request outcome of a finished forward-listener exchange, from its outcome word (the same
     * word as the access log and Cache-Status): {@code cached} (HIT, STALE), {@code revalidated},
     * {@code forwarded} (MISS, BYPASS, PASS), {@code error}, {@code rate-limited}; null for CONNECT and
     * for refusals (DENIED), which are counted where the reason is known; {@code other} otherwise.
     */
    static String requestOutcome(ExchangeRecord r) {
        if ("CONNECT".equals(r.method())) {
            return null;
        }
        String w = r.outcome() == null ? "" : r.outcome().toUpperCase(Locale.ROOT);
        switch (w) {
            case "HIT":
            case "STALE":
                return "cached";
            case "REVALIDATED":
                return "revalidated";
            case "MISS":
            case "BYPASS":
            case "PASS":
                return "forwarded";
            case "ERROR":
                return "error";
            case "RATE-LIMITED":
                return "rate-limited";
            case "DENIED":
                return null;
            default:
                return "other";
        }
    }

    /** Counts a finished exchange of the forward listener (called for route {@value #ROUTE} only). */
    void exchange(ExchangeRecord r) {
        String outcome = requestOutcome(r);
        if (outcome != null) {
            mark(requests, MetricNames.FORWARD_REQUESTS, outcome);
        }
    }

    /** Counts a forward-listener request refused for its target (origin-form, bad scheme or host: 400). */
    void badTarget() {
        mark(requests, MetricNames.FORWARD_REQUESTS, "bad-target");
    }

    @Override
    public void requestRefused(Refusal why) {
        try {
            mark(requests, MetricNames.FORWARD_REQUESTS, why.label());
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }

    @Override
    public void tunnelRefused(Refusal why) {
        try {
            mark(tunnels, MetricNames.FORWARD_TUNNELS, why.label());
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }

    @Override
    public void tunnelOpened() {
        try {
            mark(tunnels, MetricNames.FORWARD_TUNNELS, "opened");
            active.inc();
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }

    @Override
    public void tunnelClosed(long bytesUp, long bytesDown) {
        try {
            active.dec();
            if (bytesUp > 0) {
                this.bytesUp.mark(bytesUp);
            }
            if (bytesDown > 0) {
                this.bytesDown.mark(bytesDown);
            }
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }

    @Override
    public void ruleApplied(RuleEffect effect) {
        try {
            mark(rules, MetricNames.FORWARD_RULES_APPLIED, effect.label());
        } catch (RuntimeException e) {
            failed.accept(e);
        }
    }

    private void mark(Map<String, Meter> family, MetricDef def, String label) {
        Meter m = family.get(label);
        if (m == null) {
            m = family.computeIfAbsent(label, l -> meters.apply(def, List.of(l)));
        }
        m.mark();
    }
}
