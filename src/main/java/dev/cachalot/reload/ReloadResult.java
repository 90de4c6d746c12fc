package dev.cachalot.reload;

import dev.cachalot.config.ConfigException;
import java.util.List;

/** What one configuration reload did. */
public sealed interface ReloadResult {
    /**
     * The new configuration is in force.
     *
     * @param changed         reloadable keys whose value changed and now apply (empty: nothing changed)
     * @param restartRequired keys whose value changed but that only a restart applies; they keep
     *                        their running value until then
     */
    record Applied(List<String> changed, List<String> restartRequired) implements ReloadResult {
        public Applied {
            changed = List.copyOf(changed);
            restartRequired = List.copyOf(restartRequired);
        }
    }

    /** The file was refused (it does not parse or breaks a rule); the running configuration stays. */
    record Rejected(ConfigException error) implements ReloadResult {}

    /** Reloading is not possible now (e.g. still starting, or shutting down); nothing changed. */
    record Unavailable(String reason) implements ReloadResult {}
}
