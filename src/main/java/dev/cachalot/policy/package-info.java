/**
 * The pure policy ring of the cache: RFC 9111 (HTTP caching), RFC 9110 conditionals and ranges,
 * RFC 5861 stale extensions, RFC 9211 Cache-Status and RFC 9213 targeted fields. Nothing here does
 * I/O or reads a clock; every time-dependent method takes {@code Instant now}. Each class answers
 * one question and returns a value (a decision, a key, a reason) that the pipeline acts on.
 */
package dev.cachalot.policy;
