package dev.cachalot.pipeline;

import static dev.cachalot.pipeline.Harness.get;
import static dev.cachalot.pipeline.Harness.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.http.HttpDates;
import dev.cachalot.origin.OriginException;
import dev.cachalot.pipeline.FakeOrigin.Script;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The state machine with a scripted origin and a test clock: hits, validation, staleness, invalidation. */
class CachingPipelineTest {

    @Test
    void missIsStoredThenServedAsHitWithAge() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("hello", "Cache-Control", "max-age=60")));
        RecordingSink miss = h.send(get("/a"));
        assertEquals(200, miss.status());
        assertEquals("hello", miss.bodyText());
        assertEquals("MISS", miss.outcome);
        assertTrue(miss.completed);
        assertTrue(miss.header("Cache-Status").contains("fwd=uri-miss"), miss.header("Cache-Status"));
        assertTrue(miss.header("Cache-Status").contains("stored"), miss.header("Cache-Status"));

        h.clock.advance(Duration.ofSeconds(5));
        RecordingSink hit = h.send(get("/a"));
        assertEquals(200, hit.status());
        assertEquals("hello", hit.bodyText());
        assertEquals("HIT", hit.outcome);
        assertEquals("5", hit.header("Age"));
        assertEquals("HIT", hit.header("X-Cache-Status"));
        assertEquals(1, h.origin.requestCount());
    }

    @Test
    void freshMemoryHitIsAnsweredOnTheFastPathWithoutOrigin() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("fast", "Cache-Control", "max-age=60")));
        RecordingSink first = new RecordingSink();
        assertFalse(h.pipeline.tryAnswerNow(Harness.client(get("/f")), first), "cold key: no fast answer");
        assertNull(first.head, "a declined fast path must not touch the sink");
        h.send(get("/f"));

        RecordingSink fast = new RecordingSink();
        assertTrue(h.pipeline.tryAnswerNow(Harness.client(get("/f")), fast));
        assertTrue(fast.viaSendComplete);
        assertEquals("fast", fast.bodyText());
        assertEquals("HIT", fast.outcome);

        h.clock.advance(Duration.ofSeconds(61));
        RecordingSink stale = new RecordingSink();
        assertFalse(h.pipeline.tryAnswerNow(Harness.client(get("/f")), stale), "stale: not a plain Serve");
        assertNull(stale.head);
        assertEquals(1, h.origin.requestCount());
    }

    @Test
    void theHitHeadTemplateIsBuiltOncePerEntryVersionAndEveryHitGetsItsOwnAgeTtlAndDate() throws Exception {
        // The fake origin sends no Date: the stored head got the time it was received (RFC 9110 §6.6.1).
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("fast", "Cache-Control", "max-age=60")));
        h.send(get("/p"));
        RecordingSink a = h.sendWithFastPath(get("/p"));
        RecordingSink b = h.sendWithFastPath(get("/p"));
        assertNotNull(a.prepared, "a plain HTTP/1.1 hit is sent with a prepared head");
        assertSame(a.prepared.template(), b.prepared.template(), "same entry version: the template is reused");
        assertEquals("0", b.header("Age"));
        assertTrue(b.header("Cache-Status").endsWith("hit;ttl=60"), b.header("Cache-Status"));
        assertEquals(HttpDates.format(Harness.T0), b.header("Date"));

        // RFC 9111 §5.1: the Age sent is the age at the time of sending; RFC 9211 §2.4: ttl likewise.
        for (int s = 1; s <= 3; s++) {
            h.clock.advance(Duration.ofMillis(999));
            RecordingSink c = h.sendWithFastPath(get("/p"));
            assertSame(a.prepared.template(), c.prepared.template(), "a later second reuses the template");
            long age = Duration.between(Harness.T0, h.clock.instant()).getSeconds();
            assertEquals(Long.toString(age), c.header("Age"));
            assertTrue(c.header("Cache-Status").endsWith("hit;ttl=" + (60 - age)), c.header("Cache-Status"));
            assertEquals(HttpDates.format(Harness.T0), c.header("Date"));
            assertEquals(1, c.head.headers().count("Age"));
            assertEquals(1, c.head.headers().count("Date"));
        }
        h.clock.advance(Duration.ofSeconds(7));
        RecordingSink c = h.sendWithFastPath(get("/p"));
        assertSame(a.prepared.template(), c.prepared.template());
        assertEquals("9", c.header("Age"));
        assertTrue(c.header("Cache-Status").endsWith("hit;ttl=51"), c.header("Cache-Status"));
        assertEquals("fast", c.bodyText());
        assertEquals("HIT", c.header("X-Cache-Status"));
        // A conditional or ranged request is answered from the same entry but not with the shared head.
        RecordingSink range = h.sendWithFastPath(get("/p", "Range", "bytes=0-1"));
        assertEquals(206, range.status());
        assertNull(range.prepared);
        assertEquals(1, h.origin.requestCount());
    }

    @Test
    void headIsAnsweredFromAStoredGet() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("0123456789", "Cache-Control", "max-age=60")));
        h.send(get("/h"));
        RecordingSink head = h.send(request("HEAD", "/h"));
        assertEquals(200, head.status());
        assertEquals("HIT", head.outcome);
        assertEquals(10, head.announcedLength, "HEAD announces the stored GET's length");
        assertEquals(0, head.bodyBytes().length);
        assertEquals(1, h.origin.requestCount());
    }

    @Test
    void notModifiedUpdatesTheStoredHeadAndIsAnsweredFromTheEntry() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            if (calls.incrementAndGet() == 1) {
                return Script.ok("body-v1", "Cache-Control", "max-age=10", "ETag", "\"v1\"", "X-Gen", "1");
            }
            return Script.status(304, "", "Cache-Control", "max-age=100", "ETag", "\"v1\"", "X-Gen", "2");
        });
        Harness h = new Harness(origin);
        h.send(get("/v"));
        h.clock.advance(Duration.ofSeconds(20));

        RecordingSink reval = h.send(get("/v"));
        assertEquals("\"v1\"", origin.lastRequest().headers().first("If-None-Match"),
                "the cache validates with its stored ETag (RFC 9111 §4.3.1)");
        assertEquals(200, reval.status());
        assertEquals("body-v1", reval.bodyText());
        assertEquals("REVALIDATED", reval.outcome);
        assertEquals("2", reval.header("X-Gen"), "the 304's fields replace the stored ones (RFC 9111 §4.3.4)");
        assertEquals("2", h.stored("/v").orElseThrow().head().firstValue("X-Gen"));

        h.clock.advance(Duration.ofSeconds(50));
        RecordingSink hit = h.send(get("/v"));
        assertEquals("HIT", hit.outcome, "the updated max-age=100 makes it fresh again");
        assertEquals("body-v1", hit.bodyText());
        assertEquals(2, origin.requestCount());
    }

    @Test
    void notModifiedThatSelectsNothingRepeatsTheRequestUnconditionally() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                return Script.ok("old", "Cache-Control", "max-age=10", "ETag", "\"a\"");
            }
            if (n == 2) {
                return Script.status(304, "", "ETag", "\"other\"");
            }
            return Script.ok("new", "Cache-Control", "max-age=10", "ETag", "\"b\"");
        });
        Harness h = new Harness(origin);
        h.send(get("/x"));
        h.clock.advance(Duration.ofSeconds(20));
        RecordingSink s = h.send(get("/x"));
        assertEquals("new", s.bodyText());
        assertEquals(3, origin.requestCount());
        assertNull(origin.lastRequest().headers().first("If-None-Match"));
    }

    @Test
    void staleWhileRevalidateServesAtOnceAndRevalidatesOnceInTheBackground() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("swr", "Cache-Control", "max-age=10, stale-while-revalidate=60", "ETag", "\"s\"")
                : Script.status(304, "", "Cache-Control", "max-age=10, stale-while-revalidate=60", "ETag", "\"s\"",
                        "X-Refreshed", "yes"));
        Harness h = new Harness(origin);
        h.send(get("/swr"));
        h.clock.advance(Duration.ofSeconds(15));

        RecordingSink a = h.send(get("/swr"));
        RecordingSink b = h.send(get("/swr"));
        assertEquals("STALE", a.outcome);
        assertEquals("swr", a.bodyText());
        assertEquals("STALE", b.outcome);
        assertEquals(1, origin.requestCount(), "stale answers do not wait for the origin");
        assertEquals(1, h.background.pending(), "at most one background revalidation per key");

        h.background.runAll();
        assertEquals(2, origin.requestCount());
        assertEquals("\"s\"", origin.lastRequest().headers().first("If-None-Match"));
        assertEquals("yes", h.stored("/swr").orElseThrow().head().firstValue("X-Refreshed"));

        RecordingSink c = h.send(get("/swr"));
        assertEquals("HIT", c.outcome);
        assertEquals(2, origin.requestCount());
    }

    @Test
    void staleIfErrorServesStaleOnConnectionErrorsAndServerErrors() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                return Script.ok("keep", "Cache-Control", "max-age=10, stale-if-error=300", "ETag", "\"k\"");
            }
            if (n == 2) {
                return Script.fail(OriginException.Kind.CONNECT_REFUSED);
            }
            if (n == 3) {
                return Script.fail(OriginException.Kind.RESPONSE_TIMEOUT);
            }
            return Script.status(503, "down");
        });
        Harness h = new Harness(origin);
        h.send(get("/sie"));
        h.clock.advance(Duration.ofSeconds(20));
        for (int i = 0; i < 3; i++) {
            RecordingSink s = h.send(get("/sie"));
            assertEquals(200, s.status(), "attempt " + i);
            assertEquals("keep", s.bodyText());
            assertEquals("STALE", s.outcome);
            assertTrue(s.header("Cache-Status").contains("stale-if-error"), s.header("Cache-Status"));
        }
        assertEquals(4, origin.requestCount());
    }

    @Test
    void withoutStaleIfErrorOriginFailuresReachTheClient() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            int n = calls.incrementAndGet();
            if (n == 1) {
                return Script.ok("x", "Cache-Control", "max-age=10", "ETag", "\"e\"");
            }
            if (n == 2) {
                return Script.fail(OriginException.Kind.CONNECT_REFUSED);
            }
            return Script.status(503, "down");
        });
        Harness h = new Harness(origin);
        h.send(get("/e"));
        h.clock.advance(Duration.ofSeconds(20));
        RecordingSink refused = h.send(get("/e"));
        assertEquals(504, refused.status(), "RFC 9111 §5.2.2.2: an unvalidatable stale response gives 504");
        assertNull(refused.head);
        RecordingSink down = h.send(get("/e"));
        assertEquals(503, down.status());
        assertEquals("down", down.bodyText());
        assertTrue(h.stored("/e").isPresent(), "a 503 does not replace the stored response");
    }

    @Test
    void mustRevalidateForbidsStaleOnError() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("x", "Cache-Control", "max-age=10, must-revalidate, stale-if-error=300")
                : Script.status(500, "boom"));
        Harness h = new Harness(origin);
        h.send(get("/mr"));
        h.clock.advance(Duration.ofSeconds(20));
        RecordingSink s = h.send(get("/mr"));
        assertEquals(500, s.status());
        assertEquals("boom", s.bodyText());
    }

    @Test
    void unsafeMethodInvalidatesTheStoredResponse() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> r.isMethod("POST")
                ? Script.status(200, "posted")
                : Script.ok("page", "Cache-Control", "max-age=600"));
        Harness h = new Harness(origin);
        h.send(get("/p"));
        assertTrue(h.stored("/p").isPresent());
        RecordingSink post = h.send(request("POST", "/p"));
        assertEquals("posted", post.bodyText());
        assertEquals("BYPASS", post.outcome);
        assertTrue(h.stored("/p").isEmpty(), "RFC 9111 §4.4: the target URI is invalidated");
        RecordingSink again = h.send(get("/p"));
        assertEquals("MISS", again.outcome);
        assertEquals(3, origin.requestCount());
    }

    @Test
    void errorResponseToUnsafeMethodDoesNotInvalidate() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> r.isMethod("POST")
                ? Script.status(500, "no")
                : Script.ok("page", "Cache-Control", "max-age=600"));
        Harness h = new Harness(origin);
        h.send(get("/q"));
        h.send(request("POST", "/q"));
        assertTrue(h.stored("/q").isPresent());
    }

    @Test
    void onlyIfCachedWithoutStoredResponseIs504() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("never")));
        RecordingSink s = h.send(get("/oic", "Cache-Control", "only-if-cached"));
        assertEquals(504, s.status());
        assertEquals(0, h.origin.requestCount());
    }

    @Test
    void clientConditionalIsAnsweredWith304FromTheStore() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("tagged", "Cache-Control", "max-age=60",
                "ETag", "\"t\"")));
        h.send(get("/c"));
        RecordingSink s = h.send(get("/c", "If-None-Match", "\"t\""));
        assertEquals(304, s.status());
        assertEquals(0, s.bodyBytes().length);
        assertEquals("HIT", s.outcome);
        assertEquals(1, h.origin.requestCount());
    }

    @Test
    void rangeIsAnsweredFromTheStore() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("0123456789", "Cache-Control", "max-age=60")));
        h.send(get("/r"));
        RecordingSink s = h.send(get("/r", "Range", "bytes=2-4"));
        assertEquals(206, s.status());
        assertEquals("234", s.bodyText());
        assertEquals("bytes 2-4/10", s.header("Content-Range"));
        RecordingSink bad = h.send(get("/r", "Range", "bytes=50-60"));
        assertEquals(416, bad.status());
        assertEquals(1, h.origin.requestCount());
    }

    @Test
    void truncatedBodyIsNeverStoredAndTheClientIsAborted() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> {
            if (calls.incrementAndGet() == 1) {
                return Script.ok("half", "Cache-Control", "max-age=60").length(100).cut();
            }
            return Script.ok("whole", "Cache-Control", "max-age=60");
        });
        Harness h = new Harness(origin);
        RecordingSink cut = h.send(get("/t"));
        assertTrue(cut.aborted, "a cut-off body is aborted, never ended as if complete");
        assertFalse(cut.completed);
        assertTrue(h.stored("/t").isEmpty());
        assertEquals(1, h.pipeline.stats().truncatedBodies());

        RecordingSink next = h.send(get("/t"));
        assertEquals("whole", next.bodyText());
        assertEquals(2, origin.requestCount());
    }

    @Test
    void bodyShorterThanContentLengthThatEndsCleanlyIsNotStored() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> Script.ok("short", "Cache-Control", "max-age=60").length(100));
        Harness h = new Harness(origin);
        RecordingSink s = h.send(get("/short"));
        assertTrue(s.aborted);
        assertTrue(h.stored("/short").isEmpty());
    }

    @Test
    void varyVariantsAreStoredSeparately() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> Script.ok("enc=" + r.headers().first("Accept-Encoding"),
                "Cache-Control", "max-age=60", "Vary", "Accept-Encoding"));
        Harness h = new Harness(origin);
        assertEquals("enc=gzip", h.send(get("/vary", "Accept-Encoding", "gzip")).bodyText());
        assertEquals("enc=br", h.send(get("/vary", "Accept-Encoding", "br")).bodyText());
        RecordingSink gz = h.send(get("/vary", "Accept-Encoding", "gzip"));
        assertEquals("HIT", gz.outcome);
        assertEquals("enc=gzip", gz.bodyText());
        RecordingSink br = h.send(get("/vary", "Accept-Encoding", "br"));
        assertEquals("HIT", br.outcome);
        assertEquals("enc=br", br.bodyText());
        assertEquals(2, origin.requestCount());
    }

    @Test
    void uncacheableResponseIsPassedAndMarkedHitForMiss() throws Exception {
        FakeOrigin origin = new FakeOrigin(r -> Script.ok("private", "Cache-Control", "no-store"));
        Harness h = new Harness(origin);
        RecordingSink a = h.send(get("/nc"));
        assertEquals("private", a.bodyText());
        assertTrue(a.header("Cache-Status").contains("no-store"), a.header("Cache-Status"));
        RecordingSink b = h.send(get("/nc"));
        assertEquals("private", b.bodyText());
        assertEquals(1, h.pipeline.stats().hitForMissPasses(), "the second request skipped collapsing");
        h.clock.advance(Duration.ofSeconds(11));
        h.send(get("/nc"));
        assertEquals(1, h.pipeline.stats().hitForMissPasses(), "the mark expires after the hit-for-miss ttl");
        assertEquals(3, origin.requestCount());
    }

    @Test
    void retentionCoversFreshnessStalenessAndTheKeepWindow() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("r", "Cache-Control",
                "max-age=100, stale-while-revalidate=50, stale-if-error=20")),
                PipelineConfig.defaults().withKeepWindow(Duration.ofSeconds(1000)));
        h.send(get("/ret"));
        assertEquals(Harness.T0.plusSeconds(100 + 50 + 1000), h.stored("/ret").orElseThrow().head().retainUntil());
        assertNotNull(StandardCharsets.UTF_8);
    }

    @Test
    void theEntryIsCommittedBeforeTheClientReceivesTheLastByteOfALengthFramedMiss() throws Exception {
        // A client that sends its next request as soon as it has read a MISS must get a HIT, not a
        // collapsed follower of a fill that is still finishing: so when the client holds the last byte
        // of a Content-Length-framed body, the entry must already be in the store.
        for (int size : new int[] {5, 16 * 1024, 40_000}) {
            String body = "x".repeat(size);
            Harness h = new Harness(new FakeOrigin(r -> Script.ok(body, "Cache-Control", "max-age=60")));
            RecordingSink s = new RecordingSink();
            java.util.concurrent.atomic.AtomicReference<Boolean> storedAtLastByte = new java.util.concurrent.atomic.AtomicReference<>();
            s.afterWrite = total -> {
                if (total == size) {
                    storedAtLastByte.set(h.stored("/last").isPresent());
                }
            };
            h.pipeline.process(Harness.client(get("/last")), s);
            assertEquals(body, s.bodyText());
            assertEquals(Boolean.TRUE, storedAtLastByte.get(), "size " + size + ": stored when the last byte went out");
        }
    }

    @Test
    void aCacheableBodyIsStillStoredWhenTheClientGoesAway() throws Exception {
        // Several copy buffers long, so the failed client write is seen before the origin body ends
        // (the final Content-Length chunk is held back until commit and never reveals a gone client).
        String big = "fill me ".repeat(8 * 1024);
        Harness h = new Harness(new FakeOrigin(r -> Script.ok(big, "Cache-Control", "max-age=60")));
        RecordingSink gone = new RecordingSink();
        gone.failWrites = true;
        h.pipeline.process(Harness.client(get("/fill")), gone);
        assertTrue(h.stored("/fill").isPresent(), "pipeline.fillOnClientDisconnect keeps filling");

        Harness off = new Harness(new FakeOrigin(r -> Script.ok(big, "Cache-Control", "max-age=60")),
                PipelineConfig.defaults().withFillOnClientDisconnect(false));
        RecordingSink gone2 = new RecordingSink();
        gone2.failWrites = true;
        off.pipeline.process(Harness.client(get("/fill")), gone2);
        assertTrue(off.stored("/fill").isEmpty(), "without it the fetch stops with the client");
    }

    @Test
    void badPipelineSettingsNameTheKey() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PipelineConfig.defaults().withCollapseWait(Duration.ZERO));
        assertTrue(e.getMessage().contains("pipeline.collapseWait"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> PipelineConfig.defaults().withMaxFollowerLagBytes(10));
        assertTrue(e.getMessage().contains("pipeline.maxFollowerLag"), e.getMessage());
    }

    @Test
    void aChunkedBodyCutOffWithoutLengthIsNeverStored() throws Exception {
        Harness h = new Harness(new FakeOrigin(r -> Script.ok("no length", "Cache-Control", "max-age=60")
                .length(-1).cut()));
        RecordingSink s = h.send(get("/chunked-cut"));
        assertEquals(-1, s.announcedLength);
        assertTrue(s.aborted);
        assertTrue(h.stored("/chunked-cut").isEmpty());
    }

    @Test
    void aNotModifiedThatSaysNoStoreRemovesTheEntryButStillAnswers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("b", "Cache-Control", "max-age=10", "ETag", "\"n\"")
                : Script.status(304, "", "Cache-Control", "no-store", "ETag", "\"n\""));
        Harness h = new Harness(origin);
        h.send(get("/ns"));
        h.clock.advance(Duration.ofSeconds(20));
        RecordingSink s = h.send(get("/ns"));
        assertEquals("b", s.bodyText());
        assertTrue(h.stored("/ns").isEmpty(), "the updated directives forbid keeping it");
    }

    @Test
    void aForwardedHeadWhoseValidatorsDisagreeInvalidatesTheStoredGet() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("body", "Cache-Control", "max-age=10", "ETag", "\"1\"")
                : Script.ok("", "Cache-Control", "max-age=10", "ETag", "\"2\""));
        Harness h = new Harness(origin);
        h.send(get("/hu"));
        RecordingSink head = h.send(request("HEAD", "/hu", "Cache-Control", "no-cache"));
        assertEquals(200, head.status());
        assertTrue(h.stored("/hu").isEmpty(), "RFC 9111 §4.3.5: the stored GET must not be used any more");
    }

    @Test
    void aBackgroundRevalidationThatGetsAFullResponseStoresIt() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("old", "Cache-Control", "max-age=10, stale-while-revalidate=60", "ETag", "\"o\"")
                : Script.ok("new", "Cache-Control", "max-age=10", "ETag", "\"n\""));
        Harness h = new Harness(origin);
        h.send(get("/bg"));
        h.clock.advance(Duration.ofSeconds(15));
        assertEquals("old", h.send(get("/bg")).bodyText());
        h.background.runAll();
        RecordingSink s = h.send(get("/bg"));
        assertEquals("HIT", s.outcome);
        assertEquals("new", s.bodyText());
    }

    @Test
    void aFailedBackgroundRevalidationLeavesTheEntryAndCanRunAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FakeOrigin origin = new FakeOrigin(r -> calls.incrementAndGet() == 1
                ? Script.ok("kept", "Cache-Control", "max-age=10, stale-while-revalidate=60", "ETag", "\"k\"")
                : Script.fail(OriginException.Kind.RESET));
        Harness h = new Harness(origin);
        h.send(get("/bgf"));
        h.clock.advance(Duration.ofSeconds(15));
        h.send(get("/bgf"));
        h.background.runAll();
        assertEquals("\"k\"", h.stored("/bgf").orElseThrow().head().firstValue("ETag"));
        RecordingSink again = h.send(get("/bgf"));
        assertEquals("STALE", again.outcome);
        assertEquals(1, h.background.pending(), "the key is free for a new background revalidation");
    }
}
