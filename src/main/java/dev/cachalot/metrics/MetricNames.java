package dev.cachalot.metrics;

import java.util.List;

/**
 * The catalogue of every metric Cachalot exports (DESIGN habit 8). Names follow Prometheus
 * conventions: {@code cachalot_} prefix, base units (seconds, bytes), {@code _total} on counters.
 * docs/operations.md lists the same entries; {@code MetricCatalogueDocTest} fails when they drift.
 */
public final class MetricNames {
    private MetricNames() {}

    // ---- client side ----

    public static final MetricDef REQUESTS = new MetricDef("cachalot_requests_total", "cachalot.requests",
            MetricKind.COUNTER, List.of("status_class", "outcome"),
            "Client requests completed, by response status class (1xx..5xx, none) and cache outcome word.");
    public static final MetricDef REQUEST_DURATION = new MetricDef("cachalot_request_duration_seconds",
            "cachalot.request.duration", MetricKind.SUMMARY, List.of(),
            "Client-facing latency from request arrival to the end of the response, seconds.");
    public static final MetricDef RECEIVED_BYTES = new MetricDef("cachalot_received_bytes_total",
            "cachalot.bytes.received", MetricKind.COUNTER, List.of(), "Request body bytes read from clients.");
    public static final MetricDef SENT_BYTES = new MetricDef("cachalot_sent_bytes_total", "cachalot.bytes.sent",
            MetricKind.COUNTER, List.of(), "Response body bytes written to clients.");
    public static final MetricDef OPEN_CONNECTIONS = new MetricDef("cachalot_open_connections",
            "cachalot.connections.open", MetricKind.GAUGE, List.of(), "Client connections currently open.");
    public static final MetricDef CONNECTIONS_OPENED = new MetricDef("cachalot_connections_opened_total",
            "cachalot.connections.opened", MetricKind.COUNTER, List.of(), "Client connections accepted since start.");
    public static final MetricDef REJECTIONS = new MetricDef("cachalot_rejections_total", "cachalot.rejections",
            MetricKind.COUNTER, List.of("reason"),
            "Requests refused before reaching the cache pipeline, by reason (overload, framing, too-large, ...).");

    // ---- origin side ----

    public static final MetricDef ORIGIN_DURATION = new MetricDef("cachalot_origin_duration_seconds",
            "cachalot.origin.duration", MetricKind.SUMMARY, List.of("route"),
            "Time from sending an origin request to its response head, seconds, by route.");
    public static final MetricDef ORIGIN_RESPONSES = new MetricDef("cachalot_origin_responses_total",
            "cachalot.origin.responses", MetricKind.COUNTER, List.of("status_class", "route"),
            "Origin exchanges, by status class (error = failed before a response) and route.");
    public static final MetricDef ORIGIN_POOL_LEASED = new MetricDef("cachalot_origin_pool_leased",
            "cachalot.origin.pool.leased", MetricKind.GAUGE, List.of("pool"), "Origin connections in use.");
    public static final MetricDef ORIGIN_POOL_AVAILABLE = new MetricDef("cachalot_origin_pool_available",
            "cachalot.origin.pool.available", MetricKind.GAUGE, List.of("pool"), "Idle origin connections kept alive.");
    public static final MetricDef ORIGIN_POOL_PENDING = new MetricDef("cachalot_origin_pool_pending",
            "cachalot.origin.pool.pending", MetricKind.GAUGE, List.of("pool"),
            "Requests waiting for an origin connection.");
    public static final MetricDef ORIGIN_POOL_MAX = new MetricDef("cachalot_origin_pool_max",
            "cachalot.origin.pool.max", MetricKind.GAUGE, List.of("pool"), "Origin connection pool limit.");

    // ---- origin pools (gauges polled from dev.cachalot.origin.pool; cumulative ones only grow) ----

    public static final MetricDef ORIGIN_SERVER_UP = new MetricDef("cachalot_origin_server_up",
            "cachalot.origin.server.up", MetricKind.GAUGE, List.of("route", "server"),
            "1 when the origin server may be chosen now (healthy and not ejected), else 0.");
    public static final MetricDef ORIGIN_SERVER_HEALTHY = new MetricDef("cachalot_origin_server_healthy",
            "cachalot.origin.server.healthy", MetricKind.GAUGE, List.of("route", "server"),
            "1 unless the active health checks have taken the server out.");
    public static final MetricDef ORIGIN_SERVER_EJECTED = new MetricDef("cachalot_origin_server_ejected",
            "cachalot.origin.server.ejected", MetricKind.GAUGE, List.of("route", "server"),
            "1 while the server is ejected after consecutive request errors.");
    public static final MetricDef ORIGIN_SERVER_BACKUP = new MetricDef("cachalot_origin_server_backup",
            "cachalot.origin.server.backup", MetricKind.GAUGE, List.of("route", "server"),
            "1 for a backup server (used only when no primary is up).");
    public static final MetricDef ORIGIN_SERVER_ACTIVE = new MetricDef("cachalot_origin_server_active_requests",
            "cachalot.origin.server.active", MetricKind.GAUGE, List.of("route", "server"),
            "Requests sent to the server whose response is not finished.");
    public static final MetricDef ORIGIN_SERVER_REQUESTS = new MetricDef("cachalot_origin_server_requests",
            "cachalot.origin.server.requests", MetricKind.GAUGE, List.of("route", "server"),
            "Requests sent to the server since start (cumulative; use rate()).");
    public static final MetricDef ORIGIN_SERVER_FAILURES = new MetricDef("cachalot_origin_server_failures",
            "cachalot.origin.server.failures", MetricKind.GAUGE, List.of("route", "server"),
            "Request errors counted against the server since start (cumulative).");
    public static final MetricDef ORIGIN_SERVER_EJECTIONS = new MetricDef("cachalot_origin_server_ejections",
            "cachalot.origin.server.ejections", MetricKind.GAUGE, List.of("route", "server"),
            "Times the server was ejected since start (cumulative).");
    public static final MetricDef ORIGIN_SERVER_LAST_CHECK = new MetricDef("cachalot_origin_server_last_check",
            "cachalot.origin.server.last-check", MetricKind.GAUGE, List.of("route", "server"),
            "Result of the last active health check: 1 passed, 0 failed, -1 none yet.");
    public static final MetricDef ORIGIN_ROUTE_RETRIES = new MetricDef("cachalot_origin_route_retries",
            "cachalot.origin.route.retries", MetricKind.GAUGE, List.of("route"),
            "Requests retried on another server after a connect failure, since start (cumulative).");
    public static final MetricDef ORIGIN_ROUTE_NO_SERVER = new MetricDef("cachalot_origin_route_no_server",
            "cachalot.origin.route.no-server", MetricKind.GAUGE, List.of("route"),
            "Requests that found no healthy server (answered stale or 503), since start (cumulative).");

    // ---- cache store (gauges polled from StoreStats; cumulative ones only grow) ----

    public static final MetricDef STORE_ENTRIES = new MetricDef("cachalot_store_entries", "cachalot.store.entries",
            MetricKind.GAUGE, List.of("tier"), "Entries stored, by tier (memory, disk).");
    public static final MetricDef STORE_BYTES = new MetricDef("cachalot_store_bytes", "cachalot.store.bytes",
            MetricKind.GAUGE, List.of("tier"), "Body bytes stored, by tier.");
    public static final MetricDef STORE_HITS = new MetricDef("cachalot_store_hits", "cachalot.store.hits",
            MetricKind.GAUGE, List.of("tier"), "Lookups answered by a tier since start (cumulative; use rate()).");
    public static final MetricDef STORE_MISSES = new MetricDef("cachalot_store_misses", "cachalot.store.misses",
            MetricKind.GAUGE, List.of("tier"), "Lookups a tier could not answer since start (cumulative).");
    public static final MetricDef STORE_EVICTIONS = new MetricDef("cachalot_store_evictions",
            "cachalot.store.evictions", MetricKind.GAUGE, List.of("tier"),
            "Entries removed to make room since start (cumulative).");
    public static final MetricDef STORE_CORRUPTIONS = new MetricDef("cachalot_store_corruptions",
            "cachalot.store.corruptions", MetricKind.GAUGE, List.of("tier"),
            "Entries dropped because a checksum or decode check failed, since start (cumulative).");
    public static final MetricDef STORE_FAILURES = new MetricDef("cachalot_store_failures",
            "cachalot.store.failures", MetricKind.GAUGE, List.of("tier"),
            "Unexpected tier errors turned into misses or declined writes, since start (cumulative).");

    // ---- pipeline (gauges polled from PipelineStats) ----

    public static final MetricDef PIPELINE_IN_FLIGHT = new MetricDef("cachalot_pipeline_in_flight",
            "cachalot.pipeline.in-flight", MetricKind.GAUGE, List.of(),
            "Origin fetches currently led by a collapsing leader.");
    public static final MetricDef PIPELINE_FOLLOWERS = new MetricDef("cachalot_pipeline_followers",
            "cachalot.pipeline.followers", MetricKind.GAUGE, List.of(),
            "Requests that waited on another request's origin fetch, since start (cumulative).");
    public static final MetricDef PIPELINE_BACKGROUND_REVALIDATIONS = new MetricDef(
            "cachalot_pipeline_background_revalidations", "cachalot.pipeline.background-revalidations",
            MetricKind.GAUGE, List.of(), "Background (stale-while-revalidate) revalidations started (cumulative).");

    // ---- rate limits and reload (gauges polled from RateLimiter.Stats / ConfigReloader) ----

    public static final MetricDef RATE_LIMIT_ADMITTED = new MetricDef("cachalot_rate_limit_admitted",
            "cachalot.rate-limit.admitted", MetricKind.GAUGE, List.of(),
            "Requests that took rate-limit tokens since start (cumulative; hits are not counted when exempt).");
    public static final MetricDef RATE_LIMIT_REJECTED = new MetricDef("cachalot_rate_limit_rejected",
            "cachalot.rate-limit.rejected", MetricKind.GAUGE, List.of("scope"),
            "Requests answered 429 since start, by the limit that refused them (client, route; cumulative).");
    public static final MetricDef RATE_LIMIT_CLIENTS = new MetricDef("cachalot_rate_limit_clients",
            "cachalot.rate-limit.clients", MetricKind.GAUGE, List.of(),
            "Client token buckets held now (bounded by rateLimits.client.maxClients).");
    public static final MetricDef RATE_LIMIT_CLIENT_RATE = new MetricDef("cachalot_rate_limit_client_rate",
            "cachalot.rate-limit.client-rate", MetricKind.GAUGE, List.of(),
            "Per-client limit in force, requests per second (0 = none or rate limits off).");
    public static final MetricDef RATE_LIMIT_ROUTE_RATE = new MetricDef("cachalot_rate_limit_route_rate",
            "cachalot.rate-limit.route-rate", MetricKind.GAUGE, List.of("route"),
            "Per-route limit in force, requests per second, by route (0 = none or rate limits off).");
    public static final MetricDef CONFIG_RELOADS = new MetricDef("cachalot_config_reloads",
            "cachalot.config.reloads", MetricKind.GAUGE, List.of("result"),
            "Configuration reloads since start, by result (applied, rejected; cumulative).");

    // ---- purge (gauges polled from PurgeService; cumulative ones only grow) ----

    public static final MetricDef PURGES = new MetricDef("cachalot_purges", "cachalot.purges", MetricKind.GAUGE,
            List.of("kind", "mode"),
            "Purges made since start, by kind (url, tag, prefix, host) and mode (hard, soft) (cumulative; use rate()).");
    public static final MetricDef PURGE_BANS_ACTIVE = new MetricDef("cachalot_purge_bans_active",
            "cachalot.purge.bans-active", MetricKind.GAUGE, List.of(),
            "Purges by tag, prefix or host (bans) not yet applied to the whole store and retired.");

    // ---- forward proxy (docs/forward-proxy.md, "Metrics") ----

    public static final MetricDef FORWARD_REQUESTS = new MetricDef("cachalot_forward_requests_total",
            "cachalot.forward.requests", MetricKind.COUNTER, List.of("outcome"),
            "Absolute-form requests on the forward listener, by outcome (cached, revalidated, forwarded, error, "
                    + "bad-target, client-denied, auth-required, auth-failed, destination-denied, address-denied, ...).");
    public static final MetricDef FORWARD_TUNNELS = new MetricDef("cachalot_forward_tunnels_total",
            "cachalot.forward.tunnels", MetricKind.COUNTER, List.of("result"),
            "CONNECT requests, by result (opened, or why refused: client-denied, auth-required, auth-failed, "
                    + "destination-denied, address-denied, unresolvable, limit, connect-failed).");
    public static final MetricDef FORWARD_TUNNELS_ACTIVE = new MetricDef("cachalot_forward_tunnels_active",
            "cachalot.forward.tunnels.active", MetricKind.GAUGE, List.of(), "CONNECT tunnels open now.");
    public static final MetricDef FORWARD_TUNNEL_BYTES = new MetricDef("cachalot_forward_tunnel_bytes_total",
            "cachalot.forward.tunnel.bytes", MetricKind.COUNTER, List.of("direction"),
            "Bytes relayed by closed CONNECT tunnels, by direction (up: client to destination, down: back).");
    public static final MetricDef FORWARD_RULES_APPLIED = new MetricDef("cachalot_forward_rules_applied_total",
            "cachalot.forward.rules.applied", MetricKind.COUNTER, List.of("effect"),
            "Forward-listener requests governed by a per-host rule, by effect (store-id: key rewritten; "
                    + "force-ttl: freshness forced).");

    // ---- self ----

    public static final MetricDef METRICS_ERRORS = new MetricDef("cachalot_metrics_errors_total",
            "cachalot.metrics.errors", MetricKind.COUNTER, List.of(),
            "Internal errors swallowed by the metrics layer (a recording or a gauge failed).");
    public static final MetricDef LABEL_OVERFLOW = new MetricDef("cachalot_metrics_label_overflow_total",
            "cachalot.metrics.label-overflow", MetricKind.COUNTER, List.of("label"),
            "Label values folded into \"other\" because they were unknown or over the distinct-value cap.");

    // ---- JVM and process (metrics-jvm, mapped to labels) ----

    public static final MetricDef JVM_MEMORY_USED = jvm("jvm_memory_used_bytes", "jvm.memory.*.used", "area",
            "Memory used, bytes, by area (heap, non-heap, total).");
    public static final MetricDef JVM_MEMORY_COMMITTED = jvm("jvm_memory_committed_bytes", "jvm.memory.*.committed",
            "area", "Memory committed by the OS, bytes, by area.");
    public static final MetricDef JVM_MEMORY_MAX = jvm("jvm_memory_max_bytes", "jvm.memory.*.max", "area",
            "Maximum memory, bytes, by area (-1 when undefined).");
    public static final MetricDef JVM_MEMORY_INIT = jvm("jvm_memory_init_bytes", "jvm.memory.*.init", "area",
            "Initial memory, bytes, by area.");
    public static final MetricDef JVM_MEMORY_USAGE = jvm("jvm_memory_usage_ratio", "jvm.memory.*.usage", "area",
            "Used / max, 0..1, by area.");
    public static final MetricDef JVM_MEMORY_POOL_USED = jvm("jvm_memory_pool_used_bytes", "jvm.memory.pools.*.used",
            "pool", "Memory pool use, bytes.");
    public static final MetricDef JVM_MEMORY_POOL_COMMITTED = jvm("jvm_memory_pool_committed_bytes",
            "jvm.memory.pools.*.committed", "pool", "Memory pool committed, bytes.");
    public static final MetricDef JVM_MEMORY_POOL_MAX = jvm("jvm_memory_pool_max_bytes", "jvm.memory.pools.*.max",
            "pool", "Memory pool maximum, bytes (-1 when undefined).");
    public static final MetricDef JVM_MEMORY_POOL_INIT = jvm("jvm_memory_pool_init_bytes", "jvm.memory.pools.*.init",
            "pool", "Memory pool initial size, bytes.");
    public static final MetricDef JVM_MEMORY_POOL_USAGE = jvm("jvm_memory_pool_usage_ratio",
            "jvm.memory.pools.*.usage", "pool", "Memory pool used / max, 0..1.");
    public static final MetricDef JVM_MEMORY_POOL_USED_AFTER_GC = jvm("jvm_memory_pool_used_after_gc_bytes",
            "jvm.memory.pools.*.used-after-gc", "pool", "Memory pool use after the last collection, bytes.");
    public static final MetricDef JVM_GC_COLLECTIONS = jvm("jvm_gc_collections", "jvm.gc.*.count", "gc",
            "Collections since start, by collector (cumulative; use rate()).");
    public static final MetricDef JVM_GC_TIME = jvm("jvm_gc_collection_time_ms", "jvm.gc.*.time", "gc",
            "Time spent collecting since start, milliseconds, by collector (cumulative).");
    public static final MetricDef JVM_THREADS = jvm("jvm_threads_current", "jvm.threads.count", null,
            "Live threads.");
    public static final MetricDef JVM_THREADS_DAEMON = jvm("jvm_threads_daemon", "jvm.threads.daemon.count", null,
            "Live daemon threads.");
    public static final MetricDef JVM_THREADS_PEAK = jvm("jvm_threads_peak", "jvm.threads.peak.count", null,
            "Peak live threads since start.");
    public static final MetricDef JVM_THREADS_STARTED = jvm("jvm_threads_started", "jvm.threads.total_started.count",
            null, "Threads started since start (cumulative).");
    public static final MetricDef JVM_THREADS_DEADLOCKED = jvm("jvm_threads_deadlocked", "jvm.threads.deadlock.count",
            null, "Threads in a deadlock (should be 0).");
    public static final MetricDef JVM_THREADS_STATE = jvm("jvm_threads_state", "jvm.threads.*.count", "state",
            "Live threads by state (new, runnable, blocked, waiting, timed_waiting, terminated).");
    public static final MetricDef JVM_BUFFER_POOL_BUFFERS = jvm("jvm_buffer_pool_buffers", "jvm.buffers.*.count",
            "pool", "NIO buffers allocated, by pool (direct, mapped).");
    public static final MetricDef JVM_BUFFER_POOL_USED = jvm("jvm_buffer_pool_used_bytes", "jvm.buffers.*.used",
            "pool", "NIO buffer memory used, bytes, by pool.");
    public static final MetricDef JVM_BUFFER_POOL_CAPACITY = jvm("jvm_buffer_pool_capacity_bytes",
            "jvm.buffers.*.capacity", "pool", "NIO buffer capacity, bytes, by pool.");
    public static final MetricDef JVM_CLASSES_LOADED = jvm("jvm_classes_loaded", "jvm.classes.loaded", null,
            "Classes loaded since start (cumulative).");
    public static final MetricDef JVM_CLASSES_UNLOADED = jvm("jvm_classes_unloaded", "jvm.classes.unloaded", null,
            "Classes unloaded since start (cumulative).");
    public static final MetricDef JVM_FD_USAGE = jvm("jvm_fd_usage_ratio", "jvm.fd.usage", null,
            "Open file descriptors / limit, 0..1 (NaN where unsupported).");
    public static final MetricDef PROCESS_OPEN_FDS = new MetricDef("process_open_fds", "process.open_fds",
            MetricKind.GAUGE, List.of(), "Open file descriptors (Unix only).");
    public static final MetricDef PROCESS_MAX_FDS = new MetricDef("process_max_fds", "process.max_fds",
            MetricKind.GAUGE, List.of(), "File descriptor limit (Unix only).");

    /** Every catalogued metric, in documentation order. */
    public static final List<MetricDef> ALL = List.of(
            REQUESTS, REQUEST_DURATION, RECEIVED_BYTES, SENT_BYTES, OPEN_CONNECTIONS, CONNECTIONS_OPENED, REJECTIONS,
            ORIGIN_DURATION, ORIGIN_RESPONSES, ORIGIN_POOL_LEASED, ORIGIN_POOL_AVAILABLE, ORIGIN_POOL_PENDING,
            ORIGIN_POOL_MAX, ORIGIN_SERVER_UP, ORIGIN_SERVER_HEALTHY, ORIGIN_SERVER_EJECTED, ORIGIN_SERVER_BACKUP,
            ORIGIN_SERVER_ACTIVE, ORIGIN_SERVER_REQUESTS, ORIGIN_SERVER_FAILURES, ORIGIN_SERVER_EJECTIONS,
            ORIGIN_SERVER_LAST_CHECK, ORIGIN_ROUTE_RETRIES, ORIGIN_ROUTE_NO_SERVER, STORE_ENTRIES, STORE_BYTES, STORE_HITS, STORE_MISSES, STORE_EVICTIONS, STORE_CORRUPTIONS,
            STORE_FAILURES, PIPELINE_IN_FLIGHT, PIPELINE_FOLLOWERS, PIPELINE_BACKGROUND_REVALIDATIONS,
            RATE_LIMIT_ADMITTED, RATE_LIMIT_REJECTED, RATE_LIMIT_CLIENTS, RATE_LIMIT_CLIENT_RATE,
            RATE_LIMIT_ROUTE_RATE, CONFIG_RELOADS, PURGES, PURGE_BANS_ACTIVE,
            FORWARD_REQUESTS, FORWARD_TUNNELS, FORWARD_TUNNELS_ACTIVE, FORWARD_TUNNEL_BYTES, FORWARD_RULES_APPLIED,
            METRICS_ERRORS, LABEL_OVERFLOW,
            JVM_MEMORY_USED, JVM_MEMORY_COMMITTED, JVM_MEMORY_MAX, JVM_MEMORY_INIT, JVM_MEMORY_USAGE,
            JVM_MEMORY_POOL_USED, JVM_MEMORY_POOL_COMMITTED, JVM_MEMORY_POOL_MAX, JVM_MEMORY_POOL_INIT,
            JVM_MEMORY_POOL_USAGE, JVM_MEMORY_POOL_USED_AFTER_GC, JVM_GC_COLLECTIONS, JVM_GC_TIME,
            JVM_THREADS, JVM_THREADS_DAEMON, JVM_THREADS_PEAK, JVM_THREADS_STARTED, JVM_THREADS_DEADLOCKED,
            JVM_THREADS_STATE, JVM_BUFFER_POOL_BUFFERS, JVM_BUFFER_POOL_USED, JVM_BUFFER_POOL_CAPACITY,
            JVM_CLASSES_LOADED, JVM_CLASSES_UNLOADED, JVM_FD_USAGE, PROCESS_OPEN_FDS, PROCESS_MAX_FDS);

    /** The JVM entries, whose registry names are globs mapped by {@code JvmMetricMapping}; most specific first. */
    static final List<MetricDef> JVM = ALL.stream().filter(d -> d.registryName().startsWith("jvm.")).toList();

    private static MetricDef jvm(String name, String glob, String label, String help) {
        return new MetricDef(name, glob, MetricKind.GAUGE, label == null ? List.of() : List.of(label), help);
    }
}
