package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.HttpDates;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;

import java.time.Instant;

/** Test fixture factories; every time is explicit. */
final class Fixtures {
    private Fixtures() {}

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final PolicyConfig CONFIG = PolicyConfig.defaults();

    static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    static String date(long seconds) {
        return HttpDates.format(at(seconds));
    }

    static RequestHead get(String target, String... headers) {
        return request("GET", target, headers);
    }

    static RequestHead request(String method, String target, String... headers) {
        return new RequestHead(method, "https", "example.com", target, "HTTP/1.1", HeaderFields.of(headers));
    }

    static ResponseHead response(int status, String... headers) {
        return new ResponseHead(status, HeaderFields.of(headers));
    }

    /** A response stored with request and response at {@code t} seconds and a Date equal to it unless given. */
    static StoredResponse stored(long t, ResponseHead head) {
        return stored(t, head, HeaderFields.empty());
    }

    static StoredResponse stored(long t, ResponseHead head, HeaderFields selecting) {
        ResponseHead h = head.headers().contains("Date") ? head
                : head.withHeaders(head.headers().toBuilder().add("Date", date(t)).build());
        return new StoredResponse(at(t), at(t), h, selecting, 1000);
    }

    static CacheDecision decide(RequestHead req, long now, StoredResponse... variants) {
        return ReusePolicy.decide(req, java.util.List.of(variants), at(now), CONFIG, RouteOverrides.NONE);
    }
}
