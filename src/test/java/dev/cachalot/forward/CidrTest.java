package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class CidrTest {
    @Test
    void parsesIpv4AndIpv6Ranges() throws Exception {
        Cidr ten = Cidr.parse("10.0.0.0/8");
        assertTrue(ten.isIpv4());
        assertEquals(8, ten.prefix());
        assertTrue(ten.contains(InetAddress.getByName("10.255.1.2")));
        assertFalse(ten.contains(InetAddress.getByName("11.0.0.0")));
        Cidr ula = Cidr.parse("fc00::/7");
        assertFalse(ula.isIpv4());
        assertTrue(ula.contains(InetAddress.getByName("fdff::1")));
        assertFalse(ula.contains(InetAddress.getByName("fe00::1")));
        assertEquals("127.0.0.1/32", Cidr.parse("127.0.0.1").toString());
        assertEquals(128, Cidr.parse("[::1]").prefix());
    }

    @Test
    void familiesNeverMix() throws Exception {
        assertFalse(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("::1")));
        assertFalse(Cidr.parse("::/0").contains(InetAddress.getByName("127.0.0.1")));
    }

    @Test
    void ipv4MappedTextKeepsSixteenBytes() {
        byte[] b = Cidr.literal("::ffff:127.0.0.1");
        assertEquals(16, b.length);
        assertEquals(127, b[12]);
        assertEquals(96, Cidr.parse("::ffff:0:0/96").prefix());
        assertFalse(Cidr.parse("::ffff:0:0/96").isIpv4());
    }

    @Test
    void refusesNamesAndAmbiguousLiteralsWithoutDns() {
        assertNull(Cidr.literal("localhost"));
        assertNull(Cidr.literal("example.com"));
        assertNull(Cidr.literal("010.0.0.1"), "leading zero (octal to inet_aton)");
        assertNull(Cidr.literal("256.0.0.1"));
        assertNull(Cidr.literal("1.2.3"));
        assertNull(Cidr.literal("0x7f.0.0.1"));
        assertNull(Cidr.literal("fe80::1%eth0"));
        assertNull(Cidr.literal("::g"));
    }

    @Test
    void clearErrorsForBadText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.1/8")).getMessage()
                .contains("did you mean 10.0.0.0/8"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/33")).getMessage()
                .contains("exceeds 32"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Cidr.parse("intranet/8")).getMessage()
                .contains("not an IP address literal"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse("10.0.0.0/-1"));
        assertThrows(IllegalArgumentException.class, () -> Cidr.parse(""));
    }

    /** Property: a range contains exactly the addresses whose first {@code prefix} bits equal its network's. */
    @Test
    void containsIffPrefixBitsAgreeIpv4() {
        qt().forAll(integers().all(), integers().all(), integers().between(0, 32)).checkAssert((net, addr, prefix) -> {
            Cidr c = Cidr.of(ByteBuffer.allocate(4).putInt(net).array(), prefix);
            byte[] a = ByteBuffer.allocate(4).putInt(addr).array();
            long mask = prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
            boolean expected = ((net & 0xFFFFFFFFL) & mask) == ((addr & 0xFFFFFFFFL) & mask);
            assertEquals(expected, c.contains(a));
        });
    }

    /** Property: for IPv6, the network itself and every address differing only below the prefix are inside. */
    @Test
    void hostBitsBelowPrefixNeverMatterIpv6() {
        qt().forAll(longs().all(), longs().all(), integers().between(0, 128), longs().all()).checkAssert(
                (hi, lo, prefix, noise) -> {
                    byte[] net = ByteBuffer.allocate(16).putLong(hi).putLong(lo).array();
                    Cidr c = Cidr.of(net, prefix);
                    byte[] a = c.network();
                    assertTrue(c.contains(a));
                    // Flip one bit at or below the prefix: inside; flip one bit above it: outside.
                    int below = prefix + Math.floorMod(noise, 128 - prefix + 1);
                    if (below < 128) {
                        byte[] x = a.clone();
                        x[below / 8] ^= (byte) (0x80 >>> (below % 8));
                        assertTrue(c.contains(x));
                    }
                    if (prefix > 0) {
                        int above = Math.floorMod(noise, prefix);
                        byte[] y = a.clone();
                        y[above / 8] ^= (byte) (0x80 >>> (above % 8));
                        assertFalse(c.contains(y));
                    }
                });
    }

    /** Property: canonical text parses back to the same range. */
    @Test
    void textRoundTrips() {
        qt().forAll(integers().all(), integers().between(0, 32)).checkAssert((net, prefix) -> {
            Cidr c = Cidr.of(ByteBuffer.allocate(4).putInt(net).array(), prefix);
            assertEquals(c, Cidr.parse(c.toString()));
        });
        qt().forAll(longs().all(), longs().all(), integers().between(0, 128)).checkAssert((hi, lo, prefix) -> {
            Cidr c = Cidr.of(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array(), prefix);
            Cidr back = Cidr.parse(c.toString());
            assertArrayEquals(c.network(), back.network());
            assertEquals(c.prefix(), back.prefix());
        });
    }
}
