package dev.cachalot.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an admin endpoint answers: status, content type, body bytes and extra header fields.
 *
 * @param status      HTTP status code
 * @param contentType the Content-Type field value
 * @param body        the body bytes
 * @param headers     extra response header fields (name to value)
 */
public record AdminResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";
    static final String TEXT = "text/plain; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    public AdminResponse {
        headers = Map.copyOf(headers);
    }

    /** A plain-text response; a newline is appended. */
    public static AdminResponse text(int status, String text) {
        return new AdminResponse(status, TEXT, (text + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A JSON response of {@code value} (maps, lists, records, numbers, strings) followed by a newline. */
    public static AdminResponse json(int status, Object value) {
        try {
            byte[] json = MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(value);
            byte[] body = new byte[json.length + 1];
            System.arraycopy(json, 0, body, 0, json.length);
            body[json.length] = '\n';
            return new AdminResponse(status, JSON, body, Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + value.getClass().getName(), e);
        }
    }

    /** A JSON error body {@code {"status": ..., "error": message}} plus optional extra members. */
    public static AdminResponse error(int status, String message, Map<String, ?> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status);
        body.put("error", message);
        body.putAll(extra);
        return json(status, body);
    }

    /** The same response with one more header field. */
    public AdminResponse withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new AdminResponse(status, contentType, body, h);
    }
}
