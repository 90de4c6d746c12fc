package dev.cachalot.conformance.dsl;

import java.util.Set;

/**
 * One conformance test: a requirement from an RFC and the exchange that checks it.
 *
 * @param id stable identifier, also the origin path prefix ({@code /t/<id>/...}); lowercase words and dashes
 * @param title the requirement, phrased as what the cache does
 * @param anchor spec anchor, e.g. {@code rfc9111#section-4.2.1}
 * @param level requirement level from the RFC text
 * @param rationale one line quoting or paraphrasing the requirement
 * @param capabilities capabilities the cache must claim for the test to apply (empty: every cache)
 * @param body the steps and expectations
 */
public record TestCase(String id, String title, String anchor, Level level, String rationale,
                       Set<String> capabilities, TestBody body) {

    public TestCase {
        if (!id.matches("[a-z0-9]+(-[a-z0-9]+)*")) {
            throw new IllegalArgumentException("test id must be lowercase words joined by dashes: " + id);
        }
        if (!anchor.matches("rfc[0-9]+#section-[0-9.]+")) {
            throw new IllegalArgumentException("anchor must look like rfc9111#section-4.2.1: " + anchor + " in " + id);
        }
        capabilities = Set.copyOf(capabilities);
    }

    /** The RFC number part of the anchor, e.g. {@code 9111}. */
    public String rfc() {
        return anchor.substring(3, anchor.indexOf('#'));
    }

    /** The section number part of the anchor, e.g. {@code 4.2.1}. */
    public String section() {
        return anchor.substring(anchor.indexOf("section-") + 8);
    }

    /** Link to the section in the RFC editor's HTML rendering. */
    public String url() {
        return "https://www.rfc-editor.org/rfc/rfc" + rfc() + ".html#section-" + section();
    }
}
