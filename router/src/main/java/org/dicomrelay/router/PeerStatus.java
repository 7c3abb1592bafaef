package org.dicomrelay.router;

/**
 * What {@code router peers list} shows for one peer: the fingerprint of its pinned keys, of keys
 * the directory shows instead that wait for confirmation (null if none), and a fingerprint an
 * operator confirmed that the router has not applied yet (null if none).
 */
public record PeerStatus(String routerId, String pinnedFingerprint, String pendingFingerprint, String confirmedFingerprint) {}
