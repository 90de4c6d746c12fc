package dev.cachalot.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import dev.cachalot.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The reload sequence: load, prepare every part, then commit all; any failure before the commit changes nothing. */
class ConfigReloaderTest {
    private static final CachalotConfig START = ConfigLoader.parse("a.yaml",
            "routes:\n  - name: default\n    hosts: [a.test]\n    origin: http://127.0.0.1:1\n");
    private static final CachalotConfig NEXT = ConfigLoader.parse("a.yaml",
            "routes:\n  - name: default\n    hosts: [b.test]\n    origin: http://127.0.0.1:1\n");

    @Test
    void aPartThatFailsToPrepareLeavesEveryPartAndTheLiveConfigurationAsTheyWere() {
        AtomicReference<CachalotConfig> live = new AtomicReference<>(START);
        List<String> committed = new ArrayList<>();
        ConfigReloader r = new ConfigReloader(() -> NEXT, live, List.of(
                next -> () -> committed.add("first"),
                next -> {
                    throw new IllegalStateException("cannot build it");
                }));
        ReloadResult.Rejected rej = assertInstanceOf(ReloadResult.Rejected.class, r.reload("test"));
        assertEquals("(apply)", rej.error().key());
        assertEquals(List.of(), committed, "the first part was prepared but never committed");
        assertSame(START, live.get());
        assertEquals(1, r.rejectedCount());
    }

    @Test
    void aSourceThatThrowsIsARejectionNotACrash() {
        AtomicReference<CachalotConfig> live = new AtomicReference<>(START);
        ConfigReloader bad = new ConfigReloader(() -> {
            throw new ConfigException("x.yaml", "server.listen", "nowhere", "must be HOST:PORT");
        }, live, List.of());
        ReloadResult.Rejected rej = assertInstanceOf(ReloadResult.Rejected.class, bad.reload("test"));
        assertEquals("x.yaml: server.listen = nowhere: must be HOST:PORT", rej.error().getMessage());
        ConfigReloader broken = new ConfigReloader(() -> {
            throw new IllegalStateException("boom");
        }, live, List.of());
        assertInstanceOf(ReloadResult.Rejected.class, broken.reload("test"));
        assertSame(START, live.get());
    }

    @Test
    void aGoodReloadCommitsEveryPartInOrderAndPublishesTheEffectiveConfiguration() {
        AtomicReference<CachalotConfig> live = new AtomicReference<>(START);
        List<String> committed = new ArrayList<>();
        ConfigReloader r = new ConfigReloader(() -> NEXT, live, List.of(
                next -> () -> committed.add("hosts " + next.routes().get(0).hosts()),
                next -> () -> committed.add("limits")));
        ReloadResult.Applied a = assertInstanceOf(ReloadResult.Applied.class, r.reload("test"));
        assertEquals(List.of("routes"), a.changed());
        assertEquals(List.of("hosts [b.test]", "limits"), committed);
        assertEquals(NEXT.routes(), live.get().routes());
        assertEquals(1, r.appliedCount());
    }
}
