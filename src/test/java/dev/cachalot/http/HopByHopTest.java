package dev.cachalot.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** RFC 9110 §7.6.1 hop-by-hop fields. */
class HopByHopTest {

    @Test
    void stripsFixedFieldsAndThoseNamedInConnection() {
        HeaderFields h = HeaderFields.of("Connection", "keep-alive, X-Private", "Keep-Alive", "timeout=5",
                "Transfer-Encoding", "chunked", "X-Private", "1", "Upgrade", "h2c", "TE", "trailers",
                "Proxy-Authorization", "x", "Content-Type", "text/plain");
        assertEquals(HeaderFields.of("Content-Type", "text/plain"), HopByHop.strip(h));
    }

    @Test
    void alwaysSetIsCaseInsensitive() {
        assertTrue(HopByHop.isAlways("Transfer-Encoding"));
        assertTrue(HopByHop.isAlways("PROXY-CONNECTION"));
        assertFalse(HopByHop.isAlways("Cache-Control"));
    }

    @Test
    void methodClasses() {
        assertTrue(Methods.isSafe("GET"));
        assertFalse(Methods.isSafe("get"));
        assertFalse(Methods.isSafe("POST"));
        assertTrue(Methods.isIdempotent("PUT"));
        assertFalse(Methods.isIdempotent("PATCH"));
        assertTrue(StatusCodes.hasNoContent(304));
        assertEquals("Not Modified", StatusCodes.reason(304));
    }
}
