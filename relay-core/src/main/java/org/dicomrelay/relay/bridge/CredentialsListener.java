package org.dicomrelay.relay.bridge;

/**
 * Told by {@link BridgeClient} how the Bridge treats this router's credentials, on every answer:
 * a router learns it was revoked from whichever call hears it first.
 */
public interface CredentialsListener {
    CredentialsListener NONE = new CredentialsListener() {
        @Override public void refused(BridgeAuthException e) {}

        @Override public void accepted(long requestSentNanos) {}
    };

    /** The Bridge answered 401/403. */
    void refused(BridgeAuthException e);

    /**
     * The Bridge accepted a request sent at {@code requestSentNanos} ({@link System#nanoTime()}):
     * an answer to a request sent before a refusal says nothing about the credentials now.
     */
    void accepted(long requestSentNanos);
}
