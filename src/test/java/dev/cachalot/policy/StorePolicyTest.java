package dev.cachalot.policy;

import dev.cachalot.http.ResponseHead;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static dev.cachalot.policy.Fixtures.CONFIG;
import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.request;
import static dev.cachalot.policy.Fixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9111 §3 storing rules. */
class StorePolicyTest {

    private static StoreDecision decide(dev.cachalot.http.RequestHead req, ResponseHead resp) {
        return StorePolicy.decide(req, resp, Fixtures.T0, CONFIG, RouteOverrides.NONE);
    }

    private static NotStoredReason reason(StoreDecision d) {
        return assertInstanceOf(StoreDecision.DontStore.class, d).reason();
    }

    @Test
    void storesGetResponseWithMaxAge() {
        assertTrue(decide(get("/"), response(200, "Cache-Control", "max-age=60")).stored());
    }

    @Test
    void storesHeuristicallyCacheableStatusWithoutExplicitFreshness() {
        for (int s : new int[] {200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501}) {
            assertTrue(decide(get("/"), response(s)).stored(), "status " + s);
        }
    }

    @Test
    void doesNotStoreNonHeuristicStatusWithoutExplicitFreshness() {
        assertEquals(NotStoredReason.NOT_CACHEABLE, reason(decide(get("/"), response(302))));
        assertEquals(NotStoredReason.NOT_CACHEABLE, reason(decide(get("/"), response(500))));
    }

    @Test
    void storesUnknownStatusCodeWithExplicitFreshness() {
        assertTrue(decide(get("/"), response(299, "Cache-Control", "max-age=60")).stored());
        assertTrue(decide(get("/"), response(599, "Expires", Fixtures.date(60))).stored());
    }

    @Test
    void doesNotStoreUnknownStatusCodeWithoutExplicitFreshness() {
        assertEquals(NotStoredReason.NOT_CACHEABLE, reason(decide(get("/"), response(299))));
    }

    @Test
    void storesOnlyGetResponses() {
        assertEquals(NotStoredReason.METHOD, reason(decide(request("POST", "/"), response(200, "Cache-Control", "max-age=60"))));
        assertEquals(NotStoredReason.METHOD, reason(decide(request("HEAD", "/"), response(200, "Cache-Control", "max-age=60"))));
    }

    @Test
    void neverStoresInterimOrNotModifiedAsNewResponse() {
        assertEquals(NotStoredReason.STATUS, reason(decide(get("/"), response(304, "Cache-Control", "max-age=60"))));
        assertEquals(NotStoredReason.STATUS, reason(decide(get("/"), response(103, "Cache-Control", "max-age=60"))));
    }

    @Test
    void mustNotStoreResponseWithNoStore() {
        assertEquals(NotStoredReason.NO_STORE, reason(decide(get("/"), response(200, "Cache-Control", "no-store, max-age=60"))));
    }

    @Test
    void mustNotStoreWhenRequestSaysNoStore() {
        assertEquals(NotStoredReason.REQUEST_NO_STORE,
                reason(decide(get("/", "Cache-Control", "no-store"), response(200, "Cache-Control", "max-age=60"))));
    }

    @Test
    void sharedCacheMustNotStorePrivateResponse() {
        assertEquals(NotStoredReason.PRIVATE, reason(decide(get("/"), response(200, "Cache-Control", "private, max-age=60"))));
    }

    @Test
    void privateCacheMayStorePrivateResponse() {
        StoreDecision d = StorePolicy.decide(get("/"), response(200, "Cache-Control", "private"), Fixtures.T0, CONFIG.withShared(false),
                RouteOverrides.NONE);
        assertTrue(d.stored());
    }

    @Test
    void sharedCacheStoresQualifiedPrivateResponseWithoutTheListedFields() {
        StoreDecision d = decide(get("/"), response(200, "Cache-Control", "private=\"X-User\", max-age=60", "X-User", "alice",
                "X-Other", "kept"));
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class, d);
        assertFalse(s.head().headers().contains("X-User"));
        assertEquals("kept", s.head().headers().first("X-Other"));
    }

    @Test
    void mustUnderstandWithUnderstoodStatusIgnoresNoStore() {
        assertTrue(decide(get("/"), response(200, "Cache-Control", "must-understand, no-store, max-age=60")).stored());
    }

    @Test
    void mustUnderstandWithUnknownStatusIsNotStored() {
        assertEquals(NotStoredReason.STATUS_NOT_UNDERSTOOD,
                reason(decide(get("/"), response(299, "Cache-Control", "must-understand, no-store, max-age=60"))));
    }

    @Test
    void partialContentIsNotStored() {
        assertEquals(NotStoredReason.PARTIAL, reason(decide(get("/"), response(206, "Cache-Control", "max-age=60",
                "Content-Range", "bytes 0-9/100"))));
    }

    @Test
    void sharedCacheMustNotStoreAuthorizedResponseWithoutExplicitPermission() {
        assertEquals(NotStoredReason.AUTHORIZATION, reason(decide(get("/", "Authorization", "Bearer x"),
                response(200, "Cache-Control", "max-age=60"))));
    }

    @Test
    void sharedCacheMayStoreAuthorizedResponseWithPublicMustRevalidateOrSMaxage() {
        for (String cc : List.of("public, max-age=60", "must-revalidate, max-age=60", "s-maxage=60")) {
            assertTrue(decide(get("/", "Authorization", "Bearer x"), response(200, "Cache-Control", cc)).stored(), cc);
        }
    }

    @Test
    void varyStarIsNotStored() {
        assertEquals(NotStoredReason.VARY_STAR, reason(decide(get("/"), response(200, "Cache-Control", "max-age=60",
                "Vary", "Accept, *"))));
    }

    @Test
    void hopByHopAndProxySpecificFieldsAreNotStored() {
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class, decide(get("/"), response(200,
                "Cache-Control", "max-age=60", "Connection", "close, X-Conn", "X-Conn", "1", "Keep-Alive", "timeout=5",
                "Proxy-Authenticate", "Basic", "X-End", "kept")));
        assertFalse(s.head().headers().contains("Connection"));
        assertFalse(s.head().headers().contains("X-Conn"));
        assertFalse(s.head().headers().contains("Keep-Alive"));
        assertFalse(s.head().headers().contains("Proxy-Authenticate"));
        assertEquals("kept", s.head().headers().first("X-End"));
    }

    @Test
    void defaultSetCookiePolicyNeverStoresUnshareableSetCookie() {
        assertEquals(NotStoredReason.SET_COOKIE, reason(decide(get("/"), response(200, "Cache-Control", "max-age=60",
                "Set-Cookie", "sid=alice"))));
        assertEquals(NotStoredReason.SET_COOKIE, reason(decide(get("/"), response(200, "Set-Cookie", "sid=alice"))));
    }

    @Test
    void defaultSetCookiePolicyStoresWhenOriginMarkedShareable() {
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class, decide(get("/"),
                response(200, "Cache-Control", "public, max-age=60", "Set-Cookie", "ab=test")));
        assertEquals("ab=test", s.head().headers().first("Set-Cookie"));
        assertTrue(decide(get("/"), response(200, "Cache-Control", "s-maxage=60", "Set-Cookie", "ab=test")).stored());
    }

    @Test
    void stripAndStorePolicyStoresWithoutSetCookie() {
        StoreDecision d = StorePolicy.decide(get("/"), response(200, "Cache-Control", "max-age=60", "Set-Cookie", "sid=a"), Fixtures.T0,
                CONFIG.withSetCookiePolicy(SetCookiePolicy.STRIP_AND_STORE), RouteOverrides.NONE);
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class, d);
        assertFalse(s.head().headers().contains("Set-Cookie"));
    }

    @Test
    void dontStorePolicyRefusesEvenPublicSetCookie() {
        StoreDecision d = StorePolicy.decide(get("/"), response(200, "Cache-Control", "public, max-age=60", "Set-Cookie", "a=b"), Fixtures.T0,
                CONFIG.withSetCookiePolicy(SetCookiePolicy.DONT_STORE), RouteOverrides.NONE);
        assertEquals(NotStoredReason.SET_COOKIE, reason(d));
    }

    @Test
    void bypassRouteIsNeverStored() {
        RouteOverrides o = new RouteOverrides(null, Set.of(), List.of("/admin"));
        assertEquals(NotStoredReason.BYPASS, reason(StorePolicy.decide(get("/admin/x"),
                response(200, "Cache-Control", "max-age=60"), Fixtures.T0, CONFIG, o)));
    }

    @Test
    void forcedTtlMakesUncacheableStatusStorableAndSaysSo() {
        RouteOverrides o = new RouteOverrides(Duration.ofSeconds(30), Set.of(), List.of());
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class,
                StorePolicy.decide(get("/"), response(302), Fixtures.T0, CONFIG, o));
        assertTrue(s.detail().contains("override"));
    }

    @Test
    void forcedTtlNeverOverridesNoStore() {
        RouteOverrides o = new RouteOverrides(Duration.ofSeconds(30), Set.of(), List.of());
        assertEquals(NotStoredReason.NO_STORE, reason(StorePolicy.decide(get("/"),
                response(200, "Cache-Control", "no-store"), Fixtures.T0, CONFIG, o)));
    }

    @Test
    void ignoredPrivateDirectiveIsReportedInDetail() {
        RouteOverrides o = new RouteOverrides(null, Set.of("private"), List.of());
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class,
                StorePolicy.decide(get("/"), response(200, "Cache-Control", "private, max-age=60"), Fixtures.T0, CONFIG, o));
        assertEquals("override ignored private", s.detail());
    }

    @Test
    void notIgnoringAbsentDirectiveAddsNoDetail() {
        RouteOverrides o = new RouteOverrides(null, Set.of("private"), List.of());
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class,
                StorePolicy.decide(get("/"), response(200, "Cache-Control", "max-age=60"), Fixtures.T0, CONFIG, o));
        assertNull(s.detail());
    }

    @Test
    void storedResponseWithoutDateGetsTheReceiveTime() {
        StoreDecision.Store s = assertInstanceOf(StoreDecision.Store.class, StorePolicy.decide(get("/"),
                response(200, "Cache-Control", "max-age=60"), Fixtures.at(42), CONFIG, RouteOverrides.NONE));
        assertEquals(Fixtures.date(42), s.head().headers().first("Date"));
        StoreDecision.Store kept = assertInstanceOf(StoreDecision.Store.class, StorePolicy.decide(get("/"),
                response(200, "Cache-Control", "max-age=60", "Date", Fixtures.date(1)), Fixtures.at(42), CONFIG,
                RouteOverrides.NONE));
        assertEquals(Fixtures.date(1), kept.head().headers().first("Date"));
    }

    @Test
    void incompleteResponsesAreDetected() {
        ResponseHead h = response(200, "Content-Length", "10");
        assertTrue(StorePolicy.isComplete(h, 10, true));
        assertFalse(StorePolicy.isComplete(h, 9, true));
        assertFalse(StorePolicy.isComplete(h, 10, false));
        assertTrue(StorePolicy.isComplete(response(200), 5, true));
    }

    @Test
    void notStoredReasonsReadAsDetails() {
        assertEquals("not stored: no-store", NotStoredReason.NO_STORE.detail());
    }
}
