package dev.cachalot.policy;

import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import static dev.cachalot.policy.Fixtures.at;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.request;
import static dev.cachalot.policy.Fixtures.response;
import static dev.cachalot.policy.Fixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 §4.3.2 / RFC 9110 §13.2.2: client conditionals answered from the cache. */
class ClientConditionalsTest {

    private static final StoredResponse S = stored(0, response(200, "ETag", "W/\"v1\"", "Last-Modified", date(-100),
            "Cache-Control", "max-age=60", "Vary", "Accept", "Content-Type", "text/plain", "Content-Location", "/c"));

    @Test
    void ifNoneMatchUsesWeakComparisonAndAnswers304() {
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED,
                ClientConditionals.evaluate(get("/", "If-None-Match", "\"v1\""), S, at(1)));
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED,
                ClientConditionals.evaluate(get("/", "If-None-Match", "\"x\", W/\"v1\""), S, at(1)));
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-None-Match", "\"v2\""), S, at(1)));
    }

    @Test
    void ifNoneMatchStarMatchesAnyStoredResponse() {
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED,
                ClientConditionals.evaluate(get("/", "If-None-Match", "*"), S, at(1)));
    }

    @Test
    void ifNoneMatchTakesPrecedenceOverIfModifiedSince() {
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-None-Match", "\"v2\"", "If-Modified-Since", date(0)), S, at(1)));
    }

    @Test
    void ifModifiedSinceUsesLastModified() {
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", date(-100)), S, at(1)));
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", date(-101)), S, at(1)));
    }

    @Test
    void ifModifiedSinceFallsBackToDateThenReceiveTime() {
        StoredResponse noLm = stored(10, response(200));
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", date(10)), noLm, at(20)));
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", date(9)), noLm, at(20)));
    }

    @Test
    void invalidOrFutureIfModifiedSinceIsIgnored() {
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", "yesterday"), S, at(1)));
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", date(500)), S, at(1)));
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(get("/", "If-Modified-Since", date(0), "If-Modified-Since", date(0)), S, at(1)));
    }

    @Test
    void conditionalsOnlyApplyToGetAndHead() {
        assertEquals(ClientConditionals.Outcome.PROCEED,
                ClientConditionals.evaluate(request("POST", "/", "If-None-Match", "*"), S, at(1)));
        assertEquals(ClientConditionals.Outcome.NOT_MODIFIED,
                ClientConditionals.evaluate(request("HEAD", "/", "If-None-Match", "*"), S, at(1)));
    }

    @Test
    void notModifiedCarriesTheRequiredFieldsOnly() {
        ResponseHead h = ClientConditionals.notModified(S.head());
        assertEquals(304, h.status());
        assertEquals("W/\"v1\"", h.headers().first("ETag"));
        assertEquals("max-age=60", h.headers().first("Cache-Control"));
        assertEquals("Accept", h.headers().first("Vary"));
        assertEquals("/c", h.headers().first("Content-Location"));
        assertTrue(h.headers().contains("Date"));
        assertFalse(h.headers().contains("Content-Type"));
        assertFalse(h.headers().contains("Last-Modified"));
        assertEquals(date(-5), ClientConditionals.notModified(response(200, "Last-Modified", date(-5))).headers()
                .first("Last-Modified"));
    }
}
