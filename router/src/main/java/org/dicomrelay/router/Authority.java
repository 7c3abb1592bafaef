package org.dicomrelay.router;

import org.dicomrelay.relay.bridge.BridgeAuthException;
import org.dicomrelay.relay.bridge.CredentialsListener;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Whether this router may take new work: not while the Bridge refuses its credentials (revoked,
 * or an API key it does not know). Any Bridge call that hears 401/403 marks it at once; while it
 * is marked, associations are refused at the door, C-STOREs are answered "not authorized", and
 * nothing is sent (what was acknowledged before stays in the spool). Logged once when it starts
 * and once when it ends (the Bridge accepts the credentials again).
 */
public final class Authority implements CredentialsListener {
    private static final System.Logger LOG = System.getLogger(Authority.class.getName());
    /** What devices and logs are told while revoked (fits an Error Comment, 64 characters). */
    static final String REFUSED = "router credentials refused by the Bridge (revoked?)";

    private record Refusal(String reason, long atNanos) {}

    private final AtomicReference<Refusal> refusal = new AtomicReference<>();

    /** Whether the Bridge refused this router's credentials, and has not accepted them since. */
    public boolean revoked() {
        return refusal.get() != null;
    }

    /** Why (the Bridge's answer), or null while authorised. */
    public String reason() {
        Refusal r = refusal.get();
        return r == null ? null : r.reason();
    }

    /** Fails with {@link RevokedException} while revoked. */
    void check() throws RevokedException {
        Refusal r = refusal.get();
        if (r != null) throw new RevokedException(REFUSED + ": " + r.reason());
    }

    @Override public void refused(BridgeAuthException e) {
        refused(e.getMessage());
    }

    void refused(String reason) {
        if (refusal.compareAndSet(null, new Refusal(reason, System.nanoTime()))) {
            LOG.log(System.Logger.Level.ERROR, "this router's credentials were refused by the Bridge (revoked?): refusing new work "
                    + "(associations rejected, nothing sent); objects already acknowledged stay in the spool. The Bridge said: " + reason);
        }
    }

    @Override public void accepted(long requestSentNanos) {
        Refusal r = refusal.get();
        // An answer to a request sent before the refusal says nothing about the credentials now.
        if (r != null && requestSentNanos - r.atNanos() > 0 && refusal.compareAndSet(r, null)) {
            LOG.log(System.Logger.Level.INFO, "the Bridge accepts this router's credentials again: taking new work");
        }
    }

    /** Work refused because the Bridge refused this router's credentials. */
    public static final class RevokedException extends java.io.IOException {
        private static final long serialVersionUID = 1L;

        RevokedException(String message) {
            super(message);
        }
    }
}
