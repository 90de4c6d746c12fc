package dev.cachalot.forward;

import dev.cachalot.http.HeaderFields;
import dev.cachalot.metrics.ForwardMetrics;
import dev.cachalot.server.ClientRequest;
import dev.cachalot.server.ResponseSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission checks of the forward proxy, in order: client address ACL (403), proxy
 * authentication (407 with a {@code Proxy-Authenticate} challenge), destination rules (403). Every
 * refusal is answered with a plain-text body saying why and logged on {@code cachalot.forward}
 * (request id, client, target, user, reason; never a credential).
 */
public final class ForwardGate {
    private static final Logger LOG = LoggerFactory.getLogger("cachalot.forward");

    /** The outcome of the admission checks. */
    public enum Verdict {
        /** Every check passed. */
        ADMITTED,
        /** Answered 403: client address not in the ACL. */
        CLIENT_DENIED,
        /** Answered 407: no or bad proxy credentials. */
        AUTH_REQUIRED,
        /** Answered 403: the destination host or port is not allowed. */
        DESTINATION_DENIED,
        /** Not decided without slow work (password hashing); retry off the I/O thread. */
        NEEDS_WORKER
    }

    private final ClientAcl acl;
    private final ProxyAuthenticator auth;
    private final DestinationRules rules;
    private final HeaderFields challenge;
    private final ForwardMetrics metrics;

    /**
     * @param auth null when no authentication is configured
     */
    public ForwardGate(ClientAcl acl, ProxyAuthenticator auth, DestinationRules rules, String realm) {
        this(acl, auth, rules, realm, ForwardMetrics.noop());
    }

    /**
     * @param auth    null when no authentication is configured
     * @param metrics where refusals are counted (as tunnel refusals for CONNECT, request refusals otherwise)
     */
    public ForwardGate(ClientAcl acl, ProxyAuthenticator auth, DestinationRules rules, String realm,
                       ForwardMetrics metrics) {
        this.metrics = metrics;
        this.acl = acl;
        this.auth = auth;
        this.rules = rules;
        // RFC 9110 §11.7.1 / RFC 7617 §2: the Basic challenge with its realm.
        this.challenge = HeaderFields.of("Proxy-Authenticate", "Basic realm=\"" + realm + "\", charset=\"UTF-8\"");
    }

    /**
     * Runs the checks for a request to {@code host:port}; on refusal answers through {@code sink}.
     *
     * @param mayBlock false on the I/O thread: an uncached password check returns NEEDS_WORKER instead
     */
    public Verdict admit(ClientRequest request, String host, int port, boolean connect, ResponseSink sink,
                         boolean mayBlock) {
        String id = request.client().requestId();
        String peer = request.client().peerAddress();
        // The query is left out of log lines: download URLs often carry per-user tokens there.
        String what = request.head().method() + " " + (connect ? request.head().authority()
                : request.head().scheme() + "://" + request.head().authority() + request.head().path());
        if (!acl.admits(peer)) {
            LOG.info("forward deny request={} client={} target={} reason=client-not-allowed", id, peer, what);
            refused(connect, ForwardMetrics.Refusal.CLIENT_DENIED);
            sink.outcome("DENIED");
            sink.closeConnection();
            sink.sendError(403, "403 Forbidden: your address " + peer + " may not use this proxy (request " + id + ")");
            return Verdict.CLIENT_DENIED;
        }
        String user = "-";
        if (auth != null) {
            String header = request.head().headers().first("Proxy-Authorization");
            ProxyAuthenticator.Result r = mayBlock ? auth.check(header) : auth.checkRemembered(header);
            if (r == null) {
                return Verdict.NEEDS_WORKER;
            }
            if (r.outcome() != ProxyAuthenticator.Outcome.OK) {
                LOG.info("forward deny request={} client={} target={} user={} reason=auth-{}", id, peer, what,
                        r.user().isEmpty() ? "-" : r.user(), r.outcome().name().toLowerCase(java.util.Locale.ROOT));
                refused(connect, r.outcome() == ProxyAuthenticator.Outcome.MISSING
                        ? ForwardMetrics.Refusal.AUTH_REQUIRED : ForwardMetrics.Refusal.AUTH_FAILED);
                sink.outcome("DENIED");
                sink.sendError(407, "407 Proxy Authentication Required: "
                        + (r.outcome() == ProxyAuthenticator.Outcome.MISSING ? "this proxy needs a user name and password"
                        : "the proxy user name or password is not valid") + " (request " + id + ")", challenge);
                return Verdict.AUTH_REQUIRED;
            }
            user = r.user();
        }
        DestinationRules.Decision d = rules.check(host, port, connect);
        if (!d.allowed()) {
            LOG.info("forward deny request={} client={} target={} user={} reason=\"{}\"", id, peer, what, user,
                    d.reason());
            refused(connect, ForwardMetrics.Refusal.DESTINATION_DENIED);
            sink.outcome("DENIED");
            sink.closeConnection();
            sink.sendError(403, "403 Forbidden: " + d.reason() + " (request " + id + ")");
            return Verdict.DESTINATION_DENIED;
        }
        LOG.debug("forward allow request={} client={} target={} user={} reason=\"{}\"", id, peer, what, user,
                d.reason());
        return Verdict.ADMITTED;
    }

    private void refused(boolean connect, ForwardMetrics.Refusal why) {
        if (connect) {
            metrics.tunnelRefused(why);
        } else {
            metrics.requestRefused(why);
        }
    }
}
