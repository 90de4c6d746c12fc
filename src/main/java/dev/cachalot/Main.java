package dev.cachalot;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import dev.cachalot.config.ConfigLoader;
import dev.cachalot.reload.HangupSignal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Command-line entry point: parses flags, loads the configuration, starts {@link Cachalot},
 * reloads the configuration on SIGHUP and drains it on SIGTERM (JVM shutdown hook).
 *
 * <pre>
 * java -jar cachalot.jar [--config FILE] [--listen HOST:PORT] [--origin URL]
 *                        [--admin-listen HOST:PORT] [--admin-token TOKEN] [--cache-dir DIR]
 *                        [--forward-listen HOST:PORT] [--allow-destination CIDR]...
 * </pre>
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);

    static final String USAGE = "usage: cachalot [--config FILE] [--listen HOST:PORT] [--origin URL]"
            + " [--admin-listen HOST:PORT] [--admin-token TOKEN] [--cache-dir DIR]"
            + " [--forward-listen HOST:PORT] [--allow-destination CIDR]...";

    private Main() {}

    /** The parsed command line; null fields were not given ({@code allowDestinations} may be empty). */
    record Args(String config, String listen, String origin, String adminListen, String adminToken,
                String cacheDir, String forwardListen, List<String> allowDestinations) {
    }

    public static void main(String[] argv) {
        CachalotConfig config;
        Args args;
        try {
            args = parse(argv);
            config = configFrom(args);
        } catch (IllegalArgumentException e) {
            System.err.println("cachalot: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        } catch (ConfigException e) {
            System.err.println("cachalot: bad configuration: " + e.getMessage());
            System.exit(2);
            return;
        }
        Cachalot cachalot;
        try {
            // The one clock of the process; a reload reads the same file with the same flags again.
            cachalot = Cachalot.open(config, Clock.systemUTC(), () -> configFrom(args));
        } catch (Exception e) {
            System.err.println("cachalot: cannot start: " + e);
            for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                System.err.println("  caused by: " + cause);
            }
            for (Throwable s : e.getSuppressed()) {
                System.err.println("  while cleaning up: " + s);
            }
            System.exit(1);
            return;
        }
        switch (HangupSignal.install(() -> cachalot.reload("SIGHUP"))) {
            case YES:
                LOG.info("SIGHUP reloads the configuration (as does POST /reload on the admin listener)");
                break;
            case IGNORED_BY_PARENT:
                LOG.warn("SIGHUP is ignored by this process (started under nohup?): use POST /reload to reload");
                break;
            default:
                LOG.info("no SIGHUP on this platform: use POST /reload on the admin listener to reload");
                break;
        }
        LOG.info("cachalot listening on http://{}:{}", config.server().listen().host(), cachalot.port());
        if (cachalot.tlsPort() > 0) {
            LOG.info("cachalot listening on https://{}:{}", config.server().tls().listen().host(), cachalot.tlsPort());
        }
        if (cachalot.forwardPort() > 0) {
            LOG.info("forward proxy listening on http://{}:{}", config.forward().listen().host(),
                    cachalot.forwardPort());
        }
        if (cachalot.adminPort() > 0) {
            LOG.info("admin listening on http://{}:{}", config.admin().listen().host(), cachalot.adminPort());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            // SIGTERM / SIGINT: stop accepting, drain in-flight requests up to server.shutdownTimeout.
            LOG.info("shutting down: draining for up to {}", config.server().shutdownTimeout());
            boolean drained = cachalot.stop();
            LOG.info("stopped ({})", drained ? "drained" : "drain timed out");
            // Last: flush the async access log and stop logging (logback.xml has no hook of its own).
            if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
                logback.stop();
            }
            stopped.countDown();
        }, "cachalot-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Parses the flags; throws IllegalArgumentException naming the bad one. */
    static Args parse(String[] argv) {
        String config = null;
        String listen = null;
        String origin = null;
        String adminListen = null;
        String adminToken = null;
        String cacheDir = null;
        String forwardListen = null;
        List<String> allowDestinations = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String name = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (name.equals("--help") || name.equals("-h")) {
                throw new IllegalArgumentException("help requested");
            }
            if (value == null) {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException(name.startsWith("--") ? name + " needs a value"
                            : "unexpected argument: " + name);
                }
                value = argv[++i];
            }
            switch (name) {
                case "--config": config = value; break;
                case "--listen": listen = value; break;
                case "--origin": origin = value; break;
                case "--admin-listen": adminListen = value; break;
                case "--admin-token": adminToken = value; break;
                case "--cache-dir": cacheDir = value; break;
                case "--forward-listen": forwardListen = value; break;
                case "--allow-destination": allowDestinations.add(value); break; // repeatable
                default: throw new IllegalArgumentException("unknown option: " + name);
            }
        }
        return new Args(config, listen, origin, adminListen, adminToken, cacheDir, forwardListen,
                List.copyOf(allowDestinations));
    }

    /**
     * The configuration a command line describes: the file (if any) with the flag overrides.
     *
     * @throws IllegalArgumentException for an unknown flag or a missing value
     * @throws ConfigException          for a bad file or flag value
     */
    public static CachalotConfig configFrom(String... argv) {
        return configFrom(parse(argv));
    }

    /** Loads the file (if any) and applies the flag overrides. */
    static CachalotConfig configFrom(Args args) {
        CachalotConfig base;
        if (args.config() != null) {
            Path p = Path.of(args.config());
            if (!Files.isRegularFile(p)) {
                throw new ConfigException(args.config(), "--config", args.config(), "file does not exist");
            }
            base = ConfigLoader.load(p);
        } else {
            base = ConfigLoader.defaults();
        }
        CachalotConfig c = ConfigLoader.override(base, args.listen(), args.origin(), args.adminListen(),
                args.adminToken(), args.cacheDir());
        return c.withForward(c.forward().withCommandLine(args.forwardListen(), args.allowDestinations()));
    }
}
