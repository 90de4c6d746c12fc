package dev.cachalot.reload;

import dev.cachalot.config.CachalotConfig;

/**
 * One running part that takes its settings from a reloaded configuration, in two phases so a
 * reload is all or nothing: {@link #prepare} builds everything new (and may fail) without touching
 * what runs; the returned commit only swaps references and must not fail.
 */
@FunctionalInterface
public interface Reloadable {
    /**
     * @param next the effective configuration after the reload (restart-only keys keep their running values)
     * @return the action that puts it in force
     */
    Runnable prepare(CachalotConfig next);
}
