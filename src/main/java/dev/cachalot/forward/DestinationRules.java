package dev.cachalot.forward;

import java.util.List;
import java.util.Set;

/**
 * Allow/deny rules for destinations by host pattern and port, checked on the name the client asked
 * for, before resolution (the {@link AddressGuard} judges the resolved address afterwards). The
 * first matching rule decides; when none matches, the default applies: allowed for plain HTTP
 * requests to any port in {@code httpPorts}, and for CONNECT to any port in {@code connectPorts}
 * (default 443 only, RFC 9110 §9.3.6 warns that CONNECT to arbitrary ports makes an open relay).
 */
public final class DestinationRules {
    /** What a rule does. */
    public enum Action { ALLOW, DENY }

    /**
     * One rule: hosts matching {@code pattern} on one of {@code ports} (empty = any port) get {@code action}.
     */
    public record Rule(Action action, HostPattern pattern, Set<Integer> ports) {
        public Rule {
            ports = Set.copyOf(ports);
        }

        boolean matches(String host, int port) {
            return pattern.matches(host) && (ports.isEmpty() || ports.contains(port));
        }

        /**
         * Parses {@code allow|deny HOSTPATTERN[:PORT[,PORT...]]}, e.g. {@code deny *.internal.example},
         * {@code allow repo.example.com:443,8443}.
         */
        public static Rule parse(String text) {
            String[] parts = text.trim().split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("rule '" + text + "' is not 'allow|deny HOSTPATTERN[:PORTS]'");
            }
            Action a = switch (parts[0].toLowerCase(java.util.Locale.ROOT)) {
                case "allow" -> Action.ALLOW;
                case "deny" -> Action.DENY;
                default -> throw new IllegalArgumentException("rule '" + text + "' must start with allow or deny");
            };
            String target = parts[1];
            // An IPv6 literal is bracketed; otherwise the first colon starts the port list.
            int end = target.startsWith("[") ? target.indexOf(']') + 1 : 0;
            int colon = target.indexOf(':', end);
            Set<Integer> ports = Set.of();
            if (colon >= 0) {
                ports = ForwardConfig.parsePorts(target.substring(colon + 1), "rule '" + text + "'");
                target = target.substring(0, colon);
            }
            return new Rule(a, HostPattern.parse(target), ports);
        }
    }

    /** The result of checking a destination. */
    public record Decision(boolean allowed, String reason) {
    }

    private final List<Rule> rules;
    private final Set<Integer> httpPorts;
    private final Set<Integer> connectPorts;

    /**
     * @param rules        ordered rules, first match wins
     * @param httpPorts    ports plain requests may reach when no rule matches (empty = any)
     * @param connectPorts ports CONNECT may reach when no rule matches
     */
    public DestinationRules(List<Rule> rules, Set<Integer> httpPorts, Set<Integer> connectPorts) {
        this.rules = List.copyOf(rules);
        this.httpPorts = Set.copyOf(httpPorts);
        this.connectPorts = Set.copyOf(connectPorts);
    }

    /** Judges a destination; {@code connect} is true for a CONNECT tunnel. */
    public Decision check(String host, int port, boolean connect) {
        for (Rule r : rules) {
            if (r.matches(host, port)) {
                boolean ok = r.action() == Action.ALLOW && (!connect || connectPorts.contains(port)
                        || !r.ports().isEmpty());
                return new Decision(ok, ok ? "rule " + describe(r) : r.action() == Action.DENY
                        ? "denied by rule " + describe(r) : "CONNECT to port " + port + " is not allowed");
            }
        }
        if (connect) {
            return connectPorts.contains(port) ? new Decision(true, "connect port " + port)
                    : new Decision(false, "CONNECT to port " + port + " is not allowed");
        }
        return httpPorts.isEmpty() || httpPorts.contains(port) ? new Decision(true, "http port " + port)
                : new Decision(false, "port " + port + " is not allowed");
    }

    private static String describe(Rule r) {
        return r.action().name().toLowerCase(java.util.Locale.ROOT) + " " + r.pattern()
                + (r.ports().isEmpty() ? "" : ":" + r.ports());
    }
}
