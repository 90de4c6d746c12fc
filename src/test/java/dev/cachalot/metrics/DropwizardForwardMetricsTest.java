package dev.cachalot.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The forward metrics: exchange outcome words mapped to request outcomes, refusals, tunnels, rules. */
class DropwizardForwardMetricsTest {
    private static ExchangeRecord record(String method, String outcome, String route) {
        return new ExchangeRecord(Instant.parse("2026-11-25T12:00:00Z"), "r1", "127.0.0.1", method,
                "http://a.example/x", "a.example", "HTTP/1.1", 200, 0, 10, 1, -1, outcome, route);
    }

    private static PromText scrape(DropwizardProxyMetrics m) throws IOException {
        StringWriter w = new StringWriter();
        m.prometheus().writeTo(w);
        return PromText.parse(w.toString());
    }

    @Test
    void forwardExchangesAreCountedByOutcomeAndOtherRoutesAreNot() throws IOException {
        DropwizardProxyMetrics m = new DropwizardProxyMetrics(MetricsOptions.defaults().withJvmMetrics(false));
        m.exchangeCompleted(record("GET", "HIT", "forward"));
        m.exchangeCompleted(record("GET", "STALE", "forward"));
        m.exchangeCompleted(record("GET", "REVALIDATED", "forward"));
        m.exchangeCompleted(record("GET", "MISS", "forward"));
        m.exchangeCompleted(record("GET", "BYPASS", "forward"));
        m.exchangeCompleted(record("GET", "ERROR", "forward"));
        m.exchangeCompleted(record("GET", "RATE-LIMITED", "forward"));
        m.exchangeCompleted(record("GET", "SYNTHETIC", "forward"));
        m.exchangeCompleted(record("GET", "DENIED", "forward")); // counted by the gate, with its reason
        m.exchangeCompleted(record("CONNECT", "TUNNEL", "forward")); // counted as a tunnel
        m.exchangeCompleted(record("GET", "HIT", "default")); // the reverse listener
        m.rejected("forward-target");
        m.forward().requestRefused(ForwardMetrics.Refusal.AUTH_FAILED);
        m.forward().tunnelRefused(ForwardMetrics.Refusal.TUNNEL_LIMIT);
        m.forward().tunnelOpened();
        m.forward().tunnelOpened();
        m.forward().tunnelClosed(100, 2_000);
        m.forward().ruleApplied(ForwardMetrics.RuleEffect.FORCE_TTL);
        PromText p = scrape(m);
        String requests = "cachalot_forward_requests_total";
        assertEquals(Optional.of(2.0), p.value(requests, Map.of("outcome", "cached")));
        assertEquals(Optional.of(1.0), p.value(requests, Map.of("outcome", "revalidated")));
        assertEquals(Optional.of(2.0), p.value(requests, Map.of("outcome", "forwarded")));
        assertEquals(Optional.of(1.0), p.value(requests, Map.of("outcome", "error")));
        assertEquals(Optional.of(1.0), p.value(requests, Map.of("outcome", "rate-limited")));
        assertEquals(Optional.of(1.0), p.value(requests, Map.of("outcome", "other")));
        assertEquals(Optional.of(1.0), p.value(requests, Map.of("outcome", "bad-target")));
        assertEquals(Optional.of(1.0), p.value(requests, Map.of("outcome", "auth-failed")));
        assertEquals(8, p.named(requests).size(), "DENIED, CONNECT and the reverse listener add nothing");
        assertEquals(Optional.of(2.0), p.value("cachalot_forward_tunnels_total", Map.of("result", "opened")));
        assertEquals(Optional.of(1.0), p.value("cachalot_forward_tunnels_total", Map.of("result", "limit")));
        assertEquals(Optional.of(1.0), p.value("cachalot_forward_tunnels_active", Map.of()));
        assertEquals(Optional.of(100.0), p.value("cachalot_forward_tunnel_bytes_total", Map.of("direction", "up")));
        assertEquals(Optional.of(2000.0), p.value("cachalot_forward_tunnel_bytes_total", Map.of("direction", "down")));
        assertEquals(Optional.of(1.0), p.value("cachalot_forward_rules_applied_total", Map.of("effect", "force-ttl")));
        assertEquals(Optional.of(1.0), p.value("cachalot_rejections_total", Map.of("reason", "forward-target")));
    }
}
