package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class AddressGuardTest {
    private final AddressGuard guard = AddressGuard.defaults();

    private static byte[] bytes(String literal) {
        byte[] b = Cidr.literal(literal);
        if (b == null) {
            throw new IllegalArgumentException(literal);
        }
        return b;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "127.0.0.1", "127.255.255.254", "::1", "10.0.0.5", "172.16.0.1", "172.31.255.255", "192.168.1.1",
        "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.0.1", "fe80::1", "febf::1", "fc00::1",
        "fd12:3456::1", "224.0.0.1", "239.255.255.250", "ff02::1", "0.0.0.0", "::", "255.255.255.255",
        "0.1.2.3", "240.0.0.1",
        // Embedded IPv4 forms of denied addresses.
        "::ffff:127.0.0.1", "::ffff:10.0.0.5", "::ffff:169.254.169.254", "::127.0.0.1", "::10.0.0.1",
        "::ffff:0:a00:1", "64:ff9b::a00:1", "64:ff9b::127.0.0.1", "64:ff9b::169.254.169.254",
        "2002:a00:1::1", "2002:7f00:1::", "2002:a9fe:a9fe::1", "64:ff9b:1::1", "2001:0:4136:e378::1"})
    void deniesNonPublicAddressesByDefault(String literal) {
        AddressGuard.Verdict v = guard.check(bytes(literal));
        assertFalse(v.allowed(), literal + " -> " + v);
        assertEquals(AddressGuard.Outcome.DENIED_BUILTIN, v.outcome());
        assertFalse(v.rule().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "172.32.0.1", "100.128.0.1", "11.0.0.1", "2606:4700::1",
        "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "223.255.255.255", "1.1.1.1"})
    void allowsPublicAddresses(String literal) {
        AddressGuard.Verdict v = guard.check(bytes(literal));
        assertEquals(AddressGuard.Outcome.ALLOWED, v.outcome(), literal + " -> " + v);
    }

    @Test
    void namesTheRule() {
        assertEquals("link-local 169.254.0.0/16", guard.check(bytes("169.254.169.254")).rule());
        assertEquals("loopback 127.0.0.0/8", guard.check(bytes("::ffff:127.0.0.1")).rule());
    }

    @Test
    void jdkInet6MappedAddressIsStillJudgedByItsIpv4() throws Exception {
        // The JDK folds mapped text into Inet4Address, but Inet6Address.getByAddress keeps 16 bytes.
        InetAddress mapped = Inet6Address.getByAddress(null, bytes("::ffff:127.0.0.1"), null);
        assertEquals(16, mapped.getAddress().length);
        assertFalse(guard.check(mapped).allowed());
    }

    @Test
    void exceptionsOpenExactlyTheirRangeAndConfiguredDenialsWin() {
        AddressGuard g = new AddressGuard(List.of(Cidr.parse("127.0.0.1/32")), List.of(Cidr.parse("8.8.8.0/24")));
        assertEquals(AddressGuard.Outcome.ALLOWED_BY_EXCEPTION, g.check(bytes("127.0.0.1")).outcome());
        assertEquals(AddressGuard.Outcome.ALLOWED_BY_EXCEPTION, g.check(bytes("::ffff:127.0.0.1")).outcome());
        assertFalse(g.check(bytes("127.0.0.2")).allowed());
        assertFalse(g.check(bytes("::1")).allowed());
        assertEquals(AddressGuard.Outcome.DENIED_CONFIGURED, g.check(bytes("8.8.8.8")).outcome());
        AddressGuard both = new AddressGuard(List.of(Cidr.parse("10.0.0.0/8")), List.of(Cidr.parse("10.1.0.0/16")));
        assertTrue(both.check(bytes("10.2.0.1")).allowed());
        assertEquals(AddressGuard.Outcome.DENIED_CONFIGURED, both.check(bytes("10.1.0.1")).outcome());
    }

    /** Property: every RFC 1918 / loopback / link-local IPv4 address is denied in plain, mapped and NAT64 form. */
    @Test
    void everyPrivateIpv4DeniedInEveryForm() {
        int[][] ranges = {{10, 8}, {127, 8}, {169 << 8 | 254, 16}, {172 << 8 | 16, 12}, {192 << 8 | 168, 16}};
        qt().forAll(integers().between(0, ranges.length - 1), integers().all()).checkAssert((r, random) -> {
            int prefix = ranges[r][1];
            int net = prefix == 8 ? ranges[r][0] << 24 : ranges[r][0] << 16;
            int addr = (net & (int) (0xFFFFFFFFL << (32 - prefix))) | (random & (int) (0xFFFFFFFFL >>> prefix));
            byte[] v4 = {(byte) (addr >>> 24), (byte) (addr >>> 16), (byte) (addr >>> 8), (byte) addr};
            assertFalse(guard.check(v4).allowed());
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xFF;
            mapped[11] = (byte) 0xFF;
            System.arraycopy(v4, 0, mapped, 12, 4);
            assertFalse(guard.check(mapped).allowed());
            byte[] nat64 = new byte[16];
            nat64[1] = 0x64;
            nat64[2] = (byte) 0xFF;
            nat64[3] = (byte) 0x9B;
            System.arraycopy(v4, 0, nat64, 12, 4);
            assertFalse(guard.check(nat64).allowed());
            byte[] sixToFour = new byte[16];
            sixToFour[0] = 0x20;
            sixToFour[1] = 0x02;
            System.arraycopy(v4, 0, sixToFour, 2, 4);
            assertFalse(guard.check(sixToFour).allowed());
        });
    }
}
