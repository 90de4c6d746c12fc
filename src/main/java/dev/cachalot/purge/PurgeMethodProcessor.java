package dev.cachalot.purge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.ResponseHead;
import dev.cachalot.policy.RouteOverrides;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.RequestProcessor;
import dev.cachalot.server.ResponseSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@code PURGE} method on the public listener: a {@link RequestProcessor} decorator that
 * answers {@code PURGE} itself and hands every other request to the processor it wraps.
 * <ul>
 *   <li>{@code purge.enabled} false: {@code 405} (the method is never forwarded to an origin);</li>
 *   <li>no cache to purge (no {@link PurgeService}: {@code cache.enabled: false}): {@code 405};</li>
 *   <li>client address (after trusted proxy hops) outside {@code purge.allowFrom}: {@code 403};</li>
 *   <li>otherwise every variant of the request's own URL (scheme, Host, target: the key a GET for
 *       it uses) is purged, soft when the request carries {@value #SOFT_HEADER}{@code : 1}, and the
 *       answer is {@code 200 {"purged": n, "soft": bool, "url": key, "failed": n}}.</li>
 * </ul>
 * Refusals and purges are written to the audit log. Method names are case-sensitive (RFC 9110 §9.1).
 */
public final class PurgeMethodProcessor implements RequestProcessor {
    /** The method this decorator answers. */
    public static final String METHOD = "PURGE";
    /** Request field asking for a soft purge ({@code 1} or {@code true}). */
    public static final String SOFT_HEADER = "Cachalot-Soft-Purge";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RequestProcessor next;
    private final PurgeService purge;
    private final PurgeConfig config;
    private final Function<String, RouteOverrides> overridesByRoute;

    /**
     * @param next             the processor for every other request (the caching pipeline)
     * @param purge            the purge service over the same store, or null when there is no store
     *                         ({@code cache.enabled: false}): PURGE is then always 405
     * @param config           {@code purge.*}
     * @param overridesByRoute the route overrides by route name, as given to the pipeline
     */
    public PurgeMethodProcessor(RequestProcessor next, PurgeService purge, PurgeConfig config,
                                Function<String, RouteOverrides> overridesByRoute) {
        this.next = Objects.requireNonNull(next, "next");
        this.purge = purge;
        this.config = Objects.requireNonNull(config, "config");
        this.overridesByRoute = Objects.requireNonNull(overridesByRoute, "overridesByRoute");
    }

    /**
     * The processor to install on the public listener: {@code pipeline} behind the {@code PURGE}
     * decorator. Install it even with {@code purge.enabled: false}: PURGE then gets 405 instead of
     * being forwarded to an origin. (The tag fields are stripped from client responses by
     * {@code ProxyHeaders.toClient}, see {@link PurgeConfig#clientHiddenFields()}.)
     */
    public static RequestProcessor wrap(RequestProcessor pipeline, PurgeService purge, PurgeConfig config,
                                        Function<String, RouteOverrides> overridesByRoute) {
        return new PurgeMethodProcessor(pipeline, purge, config, overridesByRoute);
    }

    @Override
    public boolean tryAnswerNow(ClientRequest request, ResponseSink sink) {
        // A purge may touch the disk tier: never on the I/O thread.
        return !request.head().method().equals(METHOD) && next.tryAnswerNow(request, sink);
    }

    @Override
    public void process(ClientRequest request, ResponseSink sink) throws IOException {
        if (!request.head().method().equals(METHOD)) {
            next.process(request, sink);
            return;
        }
        String who = request.client().clientAddress();
        String url = request.head().uri();
        sink.outcome("SYNTHETIC");
        if (!config.enabled()) {
            PurgeService.auditRefused(who, "method", url, "disabled");
            // RFC 9110 §15.5.6 asks an origin for Allow; the methods the origin allows are not ours
            // to list, so none is sent.
            send(sink, 405, error(405, "the PURGE method is disabled on this listener (purge.enabled)"));
            return;
        }
        if (purge == null) {
            PurgeService.auditRefused(who, "method", url, "no-cache");
            send(sink, 405, error(405, "there is no cache to purge on this listener (cache.enabled is false)"));
            return;
        }
        if (!config.allows(who)) {
            PurgeService.auditRefused(who, "method", url, "address-not-allowed");
            send(sink, 403, error(403, "PURGE is not allowed from " + who + " (purge.allowFrom)"));
            return;
        }
        String soft = request.head().headers().first(SOFT_HEADER);
        boolean isSoft = soft != null && (soft.trim().equals("1") || soft.trim().equalsIgnoreCase("true"));
        RouteOverrides o = overridesByRoute.apply(request.route().route());
        PurgeResult r = purge.purge(request.head(), request.route().route(), PurgeMode.of(isSoft),
                o == null ? RouteOverrides.NONE : o, who, "method");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("purged", r.purged());
        body.put("soft", r.mode() == PurgeMode.SOFT);
        body.put("url", r.target());
        body.put("failed", r.failed());
        send(sink, 200, body);
    }

    private static Map<String, Object> error(int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", status);
        m.put("error", message);
        return m;
    }

    private static void send(ResponseSink sink, int status, Map<String, Object> body) {
        byte[] json;
        try {
            json = (JSON.writeValueAsString(body) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        HeaderFields h = HeaderFields.builder()
                .add("Content-Type", "application/json")
                .add("Cache-Control", "no-store")
                .build();
        sink.sendComplete(new ResponseHead(status, h), ByteBuffer.wrap(json));
    }
}
