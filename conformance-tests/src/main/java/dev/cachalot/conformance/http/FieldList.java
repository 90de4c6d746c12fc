package dev.cachalot.conformance.http;

import java.util.ArrayList;
import java.util.List;

/**
 * A message whose header fields are kept as (name, value) pairs in arrival order; gives the
 * case-insensitive field look-ups (RFC 9110 §5.1) that the suite's requests and responses share.
 */
public interface FieldList {

    /** The header fields in arrival order, each {@code {name, value}}. */
    List<String[]> headers();

    /** Returns the first value of a header field (case-insensitive name), or null. */
    default String header(String name) {
        return first(headers(), name);
    }

    /** Returns every value of a header field, in order. */
    default List<String> headers(String name) {
        List<String> out = new ArrayList<>();
        for (String[] h : headers()) {
            if (h[0].equalsIgnoreCase(name)) {
                out.add(h[1]);
            }
        }
        return out;
    }

    /** Whether a header field with that name is present. */
    default boolean has(String name) {
        return header(name) != null;
    }

    /** Returns the first value of the field {@code name} (case-insensitive) in {@code headers}, or null. */
    static String first(List<String[]> headers, String name) {
        for (String[] h : headers) {
            if (h[0].equalsIgnoreCase(name)) {
                return h[1];
            }
        }
        return null;
    }
}
