package dev.cachalot.purge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link PurgeConfig} defaults and validation, and the {@link Cidr} matching behind the allow list. */
class PurgeConfigTest {
    @Test
    void defaultsAreOffLoopbackOnlyWithTheTwoCommonTagFieldsStripped() {
        PurgeConfig d = PurgeConfig.DEFAULTS;
        assertFalse(d.enabled());
        assertEquals("[127.0.0.1/32, ::1/128]", d.allowFrom().toString());
        assertEquals(List.of("Surrogate-Key", "Cache-Tag"), d.tagHeaders());
        assertTrue(d.stripTagHeaders());
        assertTrue(d.allows("127.0.0.1"));
        assertTrue(d.allows("0:0:0:0:0:0:0:1"), "the JDK's text for ::1");
        assertTrue(d.allows("::ffff:127.0.0.1"), "IPv4-mapped loopback");
        assertFalse(d.allows("127.0.0.2"));
        assertFalse(d.allows("10.0.0.1"));
        assertFalse(d.allows("localhost"), "names are never resolved");
        assertFalse(d.allows("unknown"));
    }

    @Test
    void rangesMatchByPrefix() {
        Cidr v4 = Cidr.parse("10.1.0.0/16");
        assertTrue(v4.contains("10.1.255.3"));
        assertFalse(v4.contains("10.2.0.1"));
        assertFalse(v4.contains("::1"));
        Cidr v6 = Cidr.parse("2001:db8::/32");
        assertTrue(v6.contains("2001:db8:0:0:0:0:0:42"));
        assertTrue(v6.contains("[2001:db8::1]"));
        assertTrue(v6.contains("2001:db8::1%eth0"));
        assertFalse(v6.contains("2001:db9::1"));
        assertFalse(v6.contains("10.1.0.1"));
        assertTrue(Cidr.parse("0.0.0.0/0").contains("203.0.113.9"));
        assertTrue(Cidr.parse("192.0.2.7").contains("192.0.2.7"));
        assertFalse(Cidr.parse("192.0.2.7").contains("192.0.2.8"));
    }

    @Test
    void aBadRangeFailsNamingTheKeyTheValueAndTheRule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PurgeConfig.of(true, List.of("127.0.0.1/32", "10.0.0.1/8"), List.of(), true));
        assertTrue(e.getMessage().startsWith("purge.allowFrom[1]: '10.0.0.1/8'"), e.getMessage());
        assertTrue(e.getMessage().contains("host bits"), e.getMessage());
        for (String bad : List.of("localhost", "10.0.0.0/33", "::/129", "1.2.3.4/x", "256.0.0.1", "")) {
            IllegalArgumentException x = assertThrows(IllegalArgumentException.class,
                    () -> PurgeConfig.of(false, List.of(bad), List.of(), true), bad);
            assertTrue(x.getMessage().startsWith("purge.allowFrom[0]: '" + bad + "'"), x.getMessage());
        }
    }

    @Test
    void enablingPurgeWithAnEmptyAllowListIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PurgeConfig.of(true, List.of(), List.of(), true));
        assertTrue(e.getMessage().startsWith("purge.allowFrom: []"), e.getMessage());
        assertFalse(PurgeConfig.of(false, List.of(), List.of(), true).allows("127.0.0.1"));
    }

    @Test
    void aTagHeaderMustBeAFieldName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PurgeConfig.of(false, List.of(), List.of("Surrogate-Key", "Cache Tag"), true));
        assertTrue(e.getMessage().startsWith("purge.tagHeaders[1]: 'Cache Tag'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PurgeConfig.of(false, List.of(), List.of(""), true));
    }
}
