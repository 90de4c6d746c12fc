package dev.cachalot.reload;

import dev.cachalot.config.CachalotConfig;
import dev.cachalot.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-reads the configuration (the same file and command-line flags as at start) and applies what
 * can be applied while running. Order: load and validate the whole new configuration (a bad file
 * is {@link ReloadResult.Rejected} with the start-up message, logged, and nothing changes); compute
 * the effective configuration ({@link ConfigDiff#effective}); prepare every {@link Reloadable} (a
 * failure there also changes nothing); then commit them all and publish the effective
 * configuration. Requests in flight keep the snapshots they started with; the cache is untouched.
 * One reload at a time.
 */
public final class ConfigReloader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigReloader.class);

    private final Supplier<CachalotConfig> source;
    private final AtomicReference<CachalotConfig> live;
    private final List<Reloadable> parts;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();

    /**
     * @param source loads and validates the configuration; throws {@link ConfigException} naming
     *               the file, key, value and rule
     * @param live   the effective configuration, read per request by the parts that follow reloads
     * @param parts  the running parts to update, in commit order
     */
    public ConfigReloader(Supplier<CachalotConfig> source, AtomicReference<CachalotConfig> live, List<Reloadable> parts) {
        this.source = source;
        this.live = live;
        this.parts = List.copyOf(parts);
    }

    /** The configuration in force now. */
    public CachalotConfig current() {
        return live.get();
    }

    /** Reloads applied since start. */
    public long appliedCount() {
        return applied.get();
    }

    /** Reloads rejected since start. */
    public long rejectedCount() {
        return rejected.get();
    }

    /**
     * Loads the configuration again and applies it.
     *
     * @param trigger who asked ("admin 127.0.0.1", "SIGHUP"), for the log
     */
    public synchronized ReloadResult reload(String trigger) {
        CachalotConfig next;
        try {
            next = source.get();
        } catch (ConfigException e) {
            rejected.incrementAndGet();
            LOG.warn("reload ({}) rejected, the running configuration stays: bad configuration: {}", trigger,
                    e.getMessage());
            return new ReloadResult.Rejected(e);
        } catch (RuntimeException e) {
            // Not expected (the loader reports every problem as a ConfigException), but never fatal.
            rejected.incrementAndGet();
            LOG.warn("reload ({}) rejected, the running configuration stays: {}", trigger, e.toString(), e);
            return new ReloadResult.Rejected(new ConfigException("reload", "(file)", null, "could not be loaded: " + e));
        }
        CachalotConfig running = live.get();
        CachalotConfig effective = ConfigDiff.effective(running, next);
        List<String> changed = ConfigDiff.reloadableChanges(running, next);
        List<String> restart = ConfigDiff.restartRequired(running, next);
        List<Runnable> commits = new ArrayList<>(parts.size());
        try {
            for (Reloadable p : parts) {
                commits.add(p.prepare(effective));
            }
        } catch (ConfigException e) {
            rejected.incrementAndGet();
            LOG.warn("reload ({}) rejected, the running configuration stays: bad configuration: {}", trigger,
                    e.getMessage());
            return new ReloadResult.Rejected(e);
        } catch (RuntimeException e) {
            rejected.incrementAndGet();
            ConfigException ce = new ConfigException("reload", "(apply)", null, "could not be prepared: " + e);
            LOG.warn("reload ({}) rejected, the running configuration stays: {}", trigger, e.toString(), e);
            return new ReloadResult.Rejected(ce);
        }
        for (Runnable c : commits) {
            c.run();
        }
        live.set(effective);
        applied.incrementAndGet();
        if (restart.isEmpty()) {
            LOG.info("reload ({}) applied: changed {}", trigger, changed.isEmpty() ? "nothing" : changed);
        } else {
            LOG.warn("reload ({}) applied: changed {}; restart required for {} (they keep their running values)",
                    trigger, changed.isEmpty() ? "nothing" : changed, restart);
        }
        return new ReloadResult.Applied(changed, restart);
    }
}
