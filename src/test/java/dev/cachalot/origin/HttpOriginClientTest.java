package dev.cachalot.origin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.junit.jupiter.api.Test;

/** Which client-library failure becomes which answer (502, 503, 504, 400). */
class HttpOriginClientTest {
    private static OriginException.Kind kind(IOException e) {
        return HttpOriginClient.classify(e).kind();
    }

    @Test
    void failuresMapToKinds() {
        assertEquals(OriginException.Kind.CONNECT_REFUSED, kind(new ConnectException("Connection refused")));
        assertEquals(OriginException.Kind.CONNECT_TIMEOUT, kind(new ConnectTimeoutException("t")));
        assertEquals(OriginException.Kind.POOL_EXHAUSTED, kind(new ConnectionRequestTimeoutException("pool")));
        assertEquals(OriginException.Kind.UNKNOWN_HOST, kind(new UnknownHostException("x")));
        assertEquals(OriginException.Kind.RESPONSE_TIMEOUT, kind(new SocketTimeoutException("Read timed out")));
        assertEquals(OriginException.Kind.RESET, kind(new NoHttpResponseException("no")));
        assertEquals(OriginException.Kind.RESET, kind(new SocketException("Connection reset")));
        assertEquals(OriginException.Kind.INVALID_RESPONSE, kind(new MalformedChunkCodingException("bad")));
        assertEquals(OriginException.Kind.CLIENT_BODY,
                kind(new IOException("wrapped", new HttpOriginClient.ClientBodyException(new IOException("eof")))));
    }

    @Test
    void kindsCarryTheirStatus() {
        assertEquals(502, OriginException.Kind.CONNECT_REFUSED.status());
        assertEquals(504, OriginException.Kind.CONNECT_TIMEOUT.status());
        assertEquals(504, OriginException.Kind.RESPONSE_TIMEOUT.status());
        assertEquals(502, OriginException.Kind.RESET.status());
        assertEquals(502, OriginException.Kind.INVALID_RESPONSE.status());
        assertEquals(503, OriginException.Kind.POOL_EXHAUSTED.status());
    }

    @Test
    void originUrlsAreParsed() {
        OriginTarget t = OriginTarget.parse("r", "http://127.0.0.1:8081", null);
        assertEquals("127.0.0.1:8081", t.authority());
        assertEquals(443, OriginTarget.parse("r", "https://[::1]", null).port());
        assertEquals("[::1]", OriginTarget.parse("r", "https://[::1]", null).authority());
    }
}
