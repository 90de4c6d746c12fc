/**
 * Cachalot's own HTTP message model: header fields, request and response heads, dates, hop-by-hop
 * fields and method classes. No Undertow or HttpClient type appears here; adapters convert at the
 * edges so policy and pipeline code sees only these values.
 */
package dev.cachalot.http;
