package dev.cachalot.policy;

import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.cachalot.policy.Fixtures.get;
import static dev.cachalot.policy.Fixtures.request;
import static dev.cachalot.policy.Fixtures.response;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** RFC 9111 §4.4 invalidation after unsafe methods. */
class InvalidationTest {

    @Test
    void unsafeMethodNonErrorResponseInvalidatesTargetUri() {
        assertEquals(List.of("https://example.com/a?x=1"),
                Invalidation.keysToInvalidate(request("POST", "/a?x=1"), response(200)));
        assertEquals(List.of("https://example.com/a"), Invalidation.keysToInvalidate(request("DELETE", "/a"), response(204)));
        assertEquals(List.of("https://example.com/a"), Invalidation.keysToInvalidate(request("PATCH", "/a"), response(302)));
    }

    @Test
    void errorResponsesAndSafeMethodsInvalidateNothing() {
        assertEquals(List.of(), Invalidation.keysToInvalidate(request("POST", "/a"), response(500)));
        assertEquals(List.of(), Invalidation.keysToInvalidate(request("POST", "/a"), response(404)));
        assertEquals(List.of(), Invalidation.keysToInvalidate(get("/a"), response(200)));
    }

    @Test
    void sameOriginLocationAndContentLocationAreInvalidated() {
        assertEquals(List.of("https://example.com/a", "https://example.com/b", "https://example.com/dir/c"),
                Invalidation.keysToInvalidate(request("PUT", "/a"), response(201, "Location", "https://EXAMPLE.com:443/b",
                        "Content-Location", "dir/c")));
    }

    @Test
    void crossOriginLocationIsNotInvalidated() {
        assertEquals(List.of("https://example.com/a"), Invalidation.keysToInvalidate(request("POST", "/a"),
                response(201, "Location", "https://other.example/b", "Content-Location", "http://example.com/c")));
        assertEquals(List.of("https://example.com/a"), Invalidation.keysToInvalidate(request("POST", "/a"),
                response(201, "Location", "https://example.com:8443/b")));
    }

    @Test
    void malformedLocationIsIgnored() {
        assertEquals(List.of("https://example.com/a"), Invalidation.keysToInvalidate(request("POST", "/a"),
                response(201, "Location", "http://[bad")));
    }
}
