package dev.cachalot.conformance.suite;

import static dev.cachalot.conformance.dsl.Level.MUST;

/**
 * RFC 9213 targeted cache control (CDN-Cache-Control). Using a targeted field is opt-in, so these tests apply
 * to caches claiming the {@code cdn-cache-control} capability.
 */
public final class CdnCacheControlTests extends Dsl {
    private static final String CAP = "cdn-cache-control";

    public CdnCacheControlTests() {
        testIf(CAP, "cdn-cc-overrides-no-store", "rfc9213#section-2.2", MUST,
                "CDN-Cache-Control: max-age wins over Cache-Control: no-store",
                "§2.2: a cache using the targeted field MUST ignore Cache-Control and Expires when it has a valid value.",
                reused(0, "Cache-Control", "no-store", "CDN-Cache-Control", "max-age=3600"));
        testIf(CAP, "cdn-cc-no-store-wins", "rfc9213#section-2.2", MUST,
                "CDN-Cache-Control: no-store wins over Cache-Control: max-age",
                "§2.2: the targeted field's directives decide; no-store forbids storing.",
                notReused(0, "Cache-Control", "max-age=3600", "CDN-Cache-Control", "no-store"));
        testIf(CAP, "cdn-cc-max-age-shorter", "rfc9213#section-2.2", MUST,
                "CDN-Cache-Control: max-age=1 wins over a long Cache-Control max-age",
                "§2.2: the cache MUST ignore Cache-Control when the targeted field is valid.",
                notReused(2500, "Cache-Control", "max-age=3600", "CDN-Cache-Control", "max-age=1"));
        testIf(CAP, "cdn-cc-ignores-expires", "rfc9213#section-2.2", MUST,
                "CDN-Cache-Control: max-age wins over a past Expires",
                "§2.2: the cache MUST ignore Expires when the targeted field is valid.",
                ctx -> reused(0, "Expires", httpDate(-3600), "CDN-Cache-Control", "max-age=3600").run(ctx));
        testIf(CAP, "cdn-cc-invalid-falls-back", "rfc9213#section-2.1", MUST,
                "An unparseable CDN-Cache-Control is ignored in favour of Cache-Control",
                "§2.1: a targeted field that fails to parse as a Dictionary is ignored; Cache-Control then applies.",
                notReused(0, "Cache-Control", "no-store", "CDN-Cache-Control", "max-age=3600, \"bad"));
        testIf(CAP, "cdn-cc-private-wins", "rfc9213#section-2.2", MUST,
                "CDN-Cache-Control: private keeps a shared cache from storing",
                "§2.2 with RFC 9111 §5.2.2.7: private in the targeted field forbids a shared cache to store.",
                notReused(0, "Cache-Control", "max-age=3600", "CDN-Cache-Control", "private"));
    }
}
