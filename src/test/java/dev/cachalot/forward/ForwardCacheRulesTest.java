package dev.cachalot.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.http.HeaderFields;
import dev.cachalot.http.RequestHead;
import dev.cachalot.policy.RequestRules;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Parsing, validation and matching of {@code forward.storeIds} and {@code forward.cacheRules}. */
class ForwardCacheRulesTest {
    private static final String YAML = "forward:\n"
            + "  storeIds:\n"
            + "    - name: debian\n"
            + "      match: '^http://(deb\\.debian\\.org|ftp\\.[a-z]+\\.debian\\.org)/debian/(.*)$'\n"
            + "      key: 'http://debian.cachalot.internal/debian/$2'\n"
            + "  cacheRules:\n"
            + "    - name: debs\n"
            + "      hosts: ['*.debian.org']\n"
            + "      path: '/pool/.*\\.u?deb$'\n"
            + "      forceTtl: 30d\n"
            + "    - name: release\n"
            + "      path: '/(In)?Release(\\.gpg)?$'\n"
            + "      forceTtl: 5m\n"
            + "    - name: maven\n"
            + "      hosts: [repo.maven.apache.org]\n"
            + "      path: '\\.(jar|pom|sha1)$'\n"
            + "      ignoreRequestNoCache: true\n";

    private static RequestHead get(String scheme, String authority, String target) {
        return new RequestHead("GET", scheme, authority, target, "HTTP/1.1", HeaderFields.empty());
    }

    private static ConfigException fails(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse("f.yaml", yaml));
    }

    @Test
    void readsRulesAndTreatsForwardRequests() {
        CachalotConfig c = ConfigLoader.parse("f.yaml", YAML);
        ForwardCacheRules r = c.forward().cacheRules();
        assertEquals(1, r.keyRules().size());
        assertEquals(3, r.cacheRules().size());
        RequestRules.Treatment t = r.treat("forward", get("http", "ftp.de.debian.org",
                "/debian/pool/main/h/hello/hello_2.10_amd64.deb"));
        assertEquals("http://debian.cachalot.internal/debian/pool/main/h/hello/hello_2.10_amd64.deb", t.key());
        assertEquals("override store-id rule=debian", t.keyDetail());
        assertEquals(Duration.ofDays(30), t.overrides().forceTtl());
        assertEquals("debs", t.overrides().rule());
        // The same rule instance every time (stored responses cache their parsed directives per instance).
        assertSame(t.overrides(), r.treat("forward", get("http", "deb.debian.org:80", "/debian/pool/x.deb"))
                .overrides());
        RequestRules.Treatment rel = r.treat("forward", get("http", "deb.debian.org", "/debian/dists/stable/InRelease"));
        assertEquals(Duration.ofMinutes(5), rel.overrides().forceTtl());
        assertEquals("http://debian.cachalot.internal/debian/dists/stable/InRelease", rel.key());
        RequestRules.Treatment mvn = r.treat("forward", get("https", "repo.maven.apache.org",
                "/maven2/a/b/1/b-1.jar"));
        assertTrue(mvn.overrides().ignoreRequestNoCache());
        assertNull(mvn.key());
        // Neither a key nor a cache rule: untouched. Another route (the reverse listener): never treated.
        assertNull(r.treat("forward", get("http", "example.org", "/index.html")));
        assertNull(r.treat("www", get("http", "deb.debian.org", "/debian/pool/x.deb")));
        assertTrue(ConfigLoader.parse("f.yaml", "forward: {}\n").forward().cacheRules().isEmpty());
        // Value equality, so two loads of one file compare equal (the rest of the config is records).
        assertEquals(c, ConfigLoader.parse("f.yaml", YAML));
        assertEquals(r.hashCode(), ConfigLoader.parse("f.yaml", YAML).forward().cacheRules().hashCode());
        assertTrue(!r.equals(ConfigLoader.parse("f.yaml", YAML.replace("30d", "31d")).forward().cacheRules()));
    }

    @Test
    void keyTemplateExpandsGroupsAndEscapes() {
        ForwardCacheRules.KeyRule k = ForwardCacheRules.KeyRule.of("k", "^http://([a-z]+)\\.example/(.*)$",
                "cost\\$/$2@$1");
        assertEquals("cost$/p/q@mirror", k.apply("http://mirror.example/p/q"));
        assertNull(k.apply("http://mirror.example.org/p/q"), "the expression must match the whole URL");
    }

    @Test
    void badRulesFailAtStartNamingTheKey() {
        ConfigException e = fails("forward:\n  storeIds:\n    - {name: a, match: '(unclosed', key: x}\n");
        assertEquals("forward.storeIds[0].match", e.key());
        assertEquals("f.yaml", e.source());
        assertEquals("forward.storeIds[0].key",
                fails("forward:\n  storeIds:\n    - {name: a, match: '^(x)$', key: '$2'}\n").key());
        assertEquals("forward.storeIds[0].key",
                fails("forward:\n  storeIds:\n    - {name: a, match: '^(x)$', key: 'a$'}\n").key());
        assertEquals("forward.storeIds[0].name",
                fails("forward:\n  storeIds:\n    - {name: 'a b', match: 'x', key: y}\n").key());
        assertEquals("forward.storeIds[0].bogus",
                fails("forward:\n  storeIds:\n    - {name: a, match: 'x', key: y, bogus: 1}\n").key());
        assertEquals("forward.cacheRules[0].path",
                fails("forward:\n  cacheRules:\n    - {name: a, path: '[', forceTtl: 1h}\n").key());
        assertEquals("forward.cacheRules[0].forceTtl",
                fails("forward:\n  cacheRules:\n    - {name: a, path: x, forceTtl: soon}\n").key());
        assertEquals("forward.cacheRules[0].hosts",
                fails("forward:\n  cacheRules:\n    - {name: a, hosts: ['a*b'], forceTtl: 1h}\n").key());
        ConfigException noEffect = fails("forward:\n  cacheRules:\n    - {name: a, path: x}\n");
        assertTrue(noEffect.getMessage().contains("forceTtl"), noEffect.getMessage());
        assertTrue(fails("forward:\n  cacheRules:\n    - {name: a, forceTtl: 1h}\n").getMessage()
                .contains("hosts, a path"));
        assertTrue(fails("forward:\n  storeIds:\n    - {name: a, match: x, key: y}\n  cacheRules:\n"
                + "    - {name: a, path: x, forceTtl: 1h}\n").getMessage().contains("duplicate rule name"));
        // The forward listener's route name cannot be used by a reverse route while forward rules exist.
        ConfigException reserved = fails("routes:\n  - {name: forward, hosts: [a.example], origin: 'http://127.0.0.1:1'}\n"
                + "forward:\n  cacheRules:\n    - {name: a, path: x, forceTtl: 1h}\n");
        assertEquals("routes[0].name", reserved.key());
    }

    @Test
    void hostOfStripsPortUserInfoAndBrackets() {
        assertEquals("a.example", ForwardCacheRules.hostOf("a.example:8080"));
        assertEquals("a.example", ForwardCacheRules.hostOf("u@a.example"));
        assertEquals("::1", ForwardCacheRules.hostOf("[::1]:3128"));
        assertEquals("a.example", ForwardCacheRules.hostOf("a.example"));
    }

    @Test
    void ruleRecordsRefuseRulesWithoutEffectOrTarget() {
        assertThrows(IllegalArgumentException.class,
                () -> ForwardCacheRules.CacheRule.of("a", List.of(), "x", null, Set.of(), false));
        assertThrows(IllegalArgumentException.class,
                () -> ForwardCacheRules.CacheRule.of("a", List.of(), "", Duration.ofHours(1), Set.of(), false));
    }
}
