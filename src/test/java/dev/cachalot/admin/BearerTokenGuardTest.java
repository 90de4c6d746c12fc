package dev.cachalot.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cachalot.admin.BearerTokenGuard.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BearerTokenGuardTest {
    @Test
    void withoutAConfiguredTokenNothingIsAllowed() {
        BearerTokenGuard g = new BearerTokenGuard(Optional.empty());
        assertEquals(Verdict.NOT_CONFIGURED, g.check("Bearer "));
        assertEquals(Verdict.NOT_CONFIGURED, g.check(null));
        assertEquals(Verdict.NOT_CONFIGURED, g.check("Bearer x"));
    }

    @Test
    void onlyTheExactTokenUnderTheBearerSchemeIsAllowed() {
        BearerTokenGuard g = new BearerTokenGuard(Optional.of("abc123"));
        assertEquals(Verdict.ALLOWED, g.check("Bearer abc123"));
        assertEquals(Verdict.ALLOWED, g.check("BEARER abc123"));
        assertEquals(Verdict.ALLOWED, g.check("  Bearer   abc123  "));
        assertEquals(Verdict.UNAUTHORIZED, g.check("Bearer abc1234"));
        assertEquals(Verdict.UNAUTHORIZED, g.check("Bearer abc12"));
        assertEquals(Verdict.UNAUTHORIZED, g.check("Bearer ABC123"));
        assertEquals(Verdict.UNAUTHORIZED, g.check("Bearerabc123"));
        assertEquals(Verdict.UNAUTHORIZED, g.check("Token abc123"));
        assertEquals(Verdict.UNAUTHORIZED, g.check("abc123"));
        assertEquals(Verdict.UNAUTHORIZED, g.check(""));
        assertEquals(Verdict.UNAUTHORIZED, g.check(null));
    }
}
