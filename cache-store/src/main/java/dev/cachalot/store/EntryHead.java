package dev.cachalot.store;

import java.time.Instant;
import java.util.List;

/**
 * The caller-supplied head of a stored entry: what the proxy needs to answer from the entry
 * without touching the body.
 *
 * <p>The store treats it as data: it never computes freshness from it. {@code retainUntil} is the
 * one value the store acts on: after that instant the entry is no longer returned and may be swept
 * (policy sets it past the freshness lifetime to keep stale entries for revalidation).
 *
 * @param status the response status code (100..999)
 * @param fields the response header fields in order (opaque name/value pairs)
 * @param requestTime when the request that produced the response was sent (RFC 9111 §4.2.3 request_time)
 * @param responseTime when the response was received (RFC 9111 §4.2.3 response_time)
 * @param retainUntil after this instant the store drops the entry
 */
public record EntryHead(
    int status,
    List<HeaderField> fields,
    Instant requestTime,
    Instant responseTime,
    Instant retainUntil) {

  /** Validates and freezes the field list. */
  public EntryHead {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status must be 100..999, got " + status);
    }
    if (fields == null || requestTime == null || responseTime == null || retainUntil == null) {
      throw new IllegalArgumentException("fields and times must not be null");
    }
    fields = List.copyOf(fields);
  }

  /** The first value of the named field (ASCII case-insensitive), or null. */
  public String firstValue(String name) {
    for (HeaderField f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return f.value();
      }
    }
    return null;
  }

  /** A copy with another field list. */
  public EntryHead withFields(List<HeaderField> newFields) {
    return new EntryHead(status, newFields, requestTime, responseTime, retainUntil);
  }

  /** A copy with other times (as after a 304 merge). */
  public EntryHead withTimes(Instant newRequestTime, Instant newResponseTime, Instant newRetainUntil) {
    return new EntryHead(status, fields, newRequestTime, newResponseTime, newRetainUntil);
  }
}
