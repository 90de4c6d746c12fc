package dev.cachalot.conformance.dsl;

/** Requirement level of a test, taken from the RFC text it checks (RFC 2119 keywords). */
public enum Level {
    /** MUST / MUST NOT / REQUIRED. */
    MUST,
    /** SHOULD / SHOULD NOT / RECOMMENDED. */
    SHOULD,
    /** MAY / OPTIONAL: behaviour the RFC permits; failing it is a choice, not a violation. */
    MAY,
    /** No requirement: records a behaviour users care about (collapsing, streaming, heuristics). */
    INFO
}
