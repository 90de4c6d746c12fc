package dev.cachalot.origin;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.http.ResponseHead;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * Max-Forwards (RFC 9110 §7.6.2): for TRACE and OPTIONS, a request whose Max-Forwards is zero is
 * answered by this intermediary as the final recipient and not forwarded; any other value is
 * decremented by one before forwarding. Other methods, and absent or malformed values, are left alone.
 */
public final class MaxForwards {
    /** Fields left out of a TRACE reflection because they are likely to carry credentials (RFC 9110 §9.3.8). */
    private static final Set<String> SENSITIVE = Set.of("authorization", "proxy-authorization", "cookie");

    private MaxForwards() {}

    /** The request's Max-Forwards when it applies (TRACE or OPTIONS, 1*DIGIT), else -1. */
    static long value(RequestHead request) {
        String m = request.method();
        if (!m.equals("TRACE") && !m.equals("OPTIONS")) {
            return -1;
        }
        String v = request.headers().first("Max-Forwards");
        if (v == null) {
            return -1;
        }
        v = v.trim();
        if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        return Long.parseLong(v);
    }

    /** True when this intermediary must answer the request itself (Max-Forwards: 0 on TRACE/OPTIONS). */
    public static boolean answerHere(RequestHead request) {
        return value(request) == 0;
    }

    /** The request to forward: Max-Forwards decremented for TRACE/OPTIONS, otherwise unchanged. */
    public static RequestHead decremented(RequestHead request) {
        long v = value(request);
        if (v <= 0) {
            return request;
        }
        return request.withHeaders(request.headers().toBuilder().set("Max-Forwards", Long.toString(v - 1)).build());
    }

    /**
     * The final recipient's answer: OPTIONS gets an empty 200; TRACE gets 200 with the request
     * reflected as {@code message/http} (RFC 9110 §9.3.8), credential fields left out.
     */
    public static Answer answer(RequestHead request) {
        if (!request.method().equals("TRACE")) {
            return new Answer(new ResponseHead(200, HeaderFields.of()), new byte[0]);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(request.method()).append(' ').append(request.target()).append(' ').append(request.protocol())
                .append("\r\n");
        HeaderFields h = request.headers();
        for (int i = 0; i < h.size(); i++) {
            if (!SENSITIVE.contains(h.name(i).toLowerCase(Locale.ROOT))) {
                sb.append(h.name(i)).append(": ").append(h.value(i)).append("\r\n");
            }
        }
        sb.append("\r\n");
        byte[] body = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        return new Answer(new ResponseHead(200, HeaderFields.of("Content-Type", "message/http")), body);
    }

    /** A response this intermediary sends itself. */
    public record Answer(ResponseHead head, byte[] body) {}
}
