package dev.cachalot.policy;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.date;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.response;
import static dev.cachalot.policy.Fixtures.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 §4.3 validation: conditional requests, 304 selection, header update, HEAD update. */
class ValidationTest {

    @Test
    void conditionalRequestSendsAllStoredEtagsOfTheUrl() {
        StoredResponse a = stored(0, response(200, "ETag", "\"a\""));
        StoredResponse b = stored(0, response(200, "ETag", "W/\"b\""));
        RequestHead c = ConditionalRequests.build(get("/"), a, List.of(a, b, a));
        assertEquals("\"a\", W/\"b\"", c.headers().first("If-None-Match"));
        assertFalse(c.headers().contains("If-Modified-Since"));
    }

    @Test
    void conditionalRequestUsesLastModifiedWhenNoEtag() {
        StoredResponse a = stored(0, response(200, "Last-Modified", date(-100)));
        RequestHead c = ConditionalRequests.build(get("/"), a, List.of(a));
        assertEquals(date(-100), c.headers().first("If-Modified-Since"));
        assertTrue(ConditionalRequests.isConditional(c));
    }

    @Test
    void conditionalRequestFallsBackToDate() {
        StoredResponse a = stored(7, response(200));
        assertEquals(date(7), ConditionalRequests.build(get("/"), a, List.of(a)).headers().first("If-Modified-Since"));
    }

    @Test
    void conditionalRequestReplacesClientConditionalsAndRange() {
        StoredResponse a = stored(0, response(200, "ETag", "\"a\""));
        RequestHead c = ConditionalRequests.build(get("/", "If-None-Match", "\"mine\"", "If-Modified-Since", date(0),
                "Range", "bytes=0-1", "If-Range", "\"a\"", "X-Forwarded-Host", "evil"), a, List.of(a));
        assertEquals("\"a\"", c.headers().first("If-None-Match"));
        assertFalse(c.headers().contains("If-Modified-Since"));
        assertFalse(c.headers().contains("Range"));
        assertFalse(c.headers().contains("If-Range"));
        assertFalse(c.headers().contains("X-Forwarded-Host"));
    }

    @Test
    void strongEtagIn304SelectsEveryStoredResponseWithThatTag() {
        StoredResponse a = stored(0, response(200, "ETag", "\"x\""));
        StoredResponse b = stored(1, response(200, "ETag", "\"y\""));
        StoredResponse c = stored(2, response(200, "ETag", "\"x\""));
        assertEquals(List.of(0, 2), ConditionalRequests.select304(response(304, "ETag", "\"x\""), List.of(a, b, c)));
        assertEquals(List.of(), ConditionalRequests.select304(response(304, "ETag", "\"z\""), List.of(a, b, c)));
    }

    @Test
    void weakValidatorIn304SelectsMostRecentMatch() {
        StoredResponse a = stored(0, response(200, "ETag", "W/\"x\""));
        StoredResponse b = stored(5, response(200, "ETag", "W/\"x\""));
        assertEquals(List.of(1), ConditionalRequests.select304(response(304, "ETag", "W/\"x\""), List.of(a, b)));
        StoredResponse lm = stored(0, response(200, "Last-Modified", date(-10)));
        assertEquals(List.of(0), ConditionalRequests.select304(response(304, "Last-Modified", date(-10)), List.of(lm)));
    }

    @Test
    void validatorless304SelectsTheOnlyValidatorlessResponse() {
        StoredResponse a = stored(0, response(200));
        assertEquals(List.of(0), ConditionalRequests.select304(response(304), List.of(a)));
        StoredResponse withEtag = stored(0, response(200, "ETag", "\"e\""));
        assertEquals(List.of(), ConditionalRequests.select304(response(304), List.of(withEtag)));
    }

    @Test
    void validatorless304AnsweringOurIfModifiedSinceUpdatesTheValidatedResponse() {
        StoredResponse lm = stored(0, response(200, "Last-Modified", date(-10)));
        StoredResponse other = stored(0, response(200, "Last-Modified", date(-20)));
        assertEquals(List.of(), ConditionalRequests.select304(response(304), List.of(lm, other)));
        assertEquals(List.of(1), ConditionalRequests.select304(response(304), List.of(lm, other), other));
    }

    @Test
    void notModifiedUpdatesStoredHeadExceptExcludedFields() {
        ResponseHead storedHead = response(200, "Cache-Control", "max-age=10", "Content-Length", "100",
                "Content-Encoding", "gzip", "X-A", "old", "X-A", "old2", "ETag", "\"e\"");
        ResponseHead notModified = response(304, "Cache-Control", "max-age=60", "Content-Length", "0",
                "Content-Encoding", "br", "X-A", "new", "Connection", "X-Hop", "X-Hop", "1", "Date", date(5));
        HeaderMerge.Result r = HeaderMerge.merge(storedHead, notModified, CONFIG);
        HeaderFields h = r.stored().headers();
        assertEquals(200, r.stored().status());
        assertEquals("max-age=60", h.first("Cache-Control"));
        assertEquals("100", h.first("Content-Length"));
        assertEquals("gzip", h.first("Content-Encoding"));
        assertEquals(List.of("new"), h.all("X-A"));
        assertEquals("\"e\"", h.first("ETag"));
        assertEquals(date(5), h.first("Date"));
        assertFalse(h.contains("X-Hop"));
        assertFalse(h.contains("Connection"));
    }

    @Test
    void notModifiedSetCookieGoesOnlyToTheTriggeringClient() {
        ResponseHead storedHead = response(200, "Cache-Control", "max-age=10");
        ResponseHead notModified = response(304, "Set-Cookie", "sid=alice");
        HeaderMerge.Result r = HeaderMerge.merge(storedHead, notModified, CONFIG);
        assertFalse(r.stored().headers().contains("Set-Cookie"));
        assertEquals("sid=alice", r.forClient().headers().first("Set-Cookie"));
    }

    @Test
    void notModifiedSetCookieIsStoredWhenShareable() {
        HeaderMerge.Result r = HeaderMerge.merge(response(200, "Cache-Control", "public, max-age=10"),
                response(304, "Set-Cookie", "ab=1"), CONFIG);
        assertEquals("ab=1", r.stored().headers().first("Set-Cookie"));
    }

    @Test
    void storedSetCookieIsDroppedWhenUpdateMakesResponseUnshareable() {
        HeaderMerge.Result r = HeaderMerge.merge(response(200, "Cache-Control", "public, max-age=10", "Set-Cookie", "ab=1"),
                response(304, "Cache-Control", "max-age=10"), CONFIG);
        assertFalse(r.stored().headers().contains("Set-Cookie"));
        assertTrue(r.storable());
    }

    @Test
    void notModifiedThatSaysPrivateOrNoStoreMakesEntryUnstorable() {
        assertFalse(HeaderMerge.merge(response(200, "Cache-Control", "max-age=10"),
                response(304, "Cache-Control", "private"), CONFIG).storable());
        assertFalse(HeaderMerge.merge(response(200, "Cache-Control", "max-age=10"),
                response(304, "Cache-Control", "no-store"), CONFIG).storable());
        assertTrue(HeaderMerge.merge(response(200, "Cache-Control", "max-age=10"),
                response(304, "Cache-Control", "private=\"x-a\", max-age=5"), CONFIG).storable());
    }

    @Test
    void headResponseWithMatchingValidatorsUpdatesStoredGet() {
        StoredResponse s = stored(0, response(200, "ETag", "\"e\"", "Cache-Control", "max-age=1"));
        HeaderMerge.HeadUpdate u = HeaderMerge.headUpdate(s, response(200, "ETag", "\"e\"", "Cache-Control", "max-age=99",
                "Content-Length", "1000"), CONFIG);
        assertEquals(HeaderMerge.HeadUpdateKind.UPDATE, u.kind());
        assertEquals("max-age=99", u.merged().stored().headers().first("Cache-Control"));
    }

    @Test
    void headResponseWithDifferentValidatorOrLengthInvalidatesStoredGet() {
        StoredResponse s = stored(0, response(200, "ETag", "\"e\"", "Last-Modified", date(-5)));
        assertEquals(HeaderMerge.HeadUpdateKind.INVALIDATE, HeaderMerge.headUpdate(s, response(200, "ETag", "\"f\""), CONFIG).kind());
        assertEquals(HeaderMerge.HeadUpdateKind.INVALIDATE,
                HeaderMerge.headUpdate(s, response(200, "Content-Length", "5"), CONFIG).kind());
        assertEquals(HeaderMerge.HeadUpdateKind.INVALIDATE,
                HeaderMerge.headUpdate(s, response(200, "Last-Modified", date(-1)), CONFIG).kind());
        assertNull(HeaderMerge.headUpdate(s, response(404), CONFIG).merged());
    }

    @Test
    void storedResponseUpdatedKeepsBodyAndSelectingFields() {
        StoredResponse s = stored(0, response(200), HeaderFields.of("Accept", "x"));
        StoredResponse u = s.updated(response(200, "X", "y"), Fixtures.at(9), Fixtures.at(10));
        assertEquals(1000, u.bodyLength());
        assertEquals("x", u.selectingHeaders().first("Accept"));
        assertEquals(Fixtures.at(10), u.responseTime());
    }
}
