package org.dicomrelay.router;

import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.AeConflictException;
import org.dicomrelay.relay.bridge.AeExport;
import org.dicomrelay.relay.bridge.BridgeAuthException;
import org.dicomrelay.relay.bridge.BridgeClient;
import org.dicomrelay.relay.bridge.BridgeException;
import org.dicomrelay.relay.bridge.BridgeUnreachableException;
import org.dicomrelay.relay.bridge.Directory;
import org.dicomrelay.relay.bridge.DirectoryVerificationException;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.crypto.PublicKeys;
import org.dicomrelay.relay.log.RepeatingLog;
import org.dicomrelay.router.config.Device;
import org.dicomrelay.router.config.RouterConfig;
import org.dicomrelay.router.config.RoutingTable;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One router's exchange with the Bridge directory: publishes its exported AE titles, then takes
 * the directory (other routers' AE titles the access matrix grants this router into the routing
 * table, their public keys, the grants on this router's own titles into {@link PeerAccess}). One
 * bad piece spoils nothing else: an AE title another router owns is left out of what is
 * published (and reported, naming the other router), a directory record that fails verification
 * or carries public keys of a shape {@link PublicKeys} refuses is skipped (and reported, naming
 * the router); everything else is used. A directory older than one accepted before or expired is
 * refused whole ({@link DirectoryFreshness}); a peer's keys are pinned ({@link PeerPins}). Failures of the whole sync are told apart
 * (the Bridge unreachable, its refusal of our credentials, a directory that does not verify) and
 * summarised, not logged every ten seconds.
 */
final class DirectorySync {
    private static final System.Logger LOG = System.getLogger(DirectorySync.class.getName());
    static final Duration LOG_PERIOD = Duration.ofMinutes(5);
    /** The grants on this router's AE titles, cached in the state folder. */
    static final String ACCESS_CACHE = "access.json";
    /** Conflicts are resolved by leaving the titles out; a race with another router's publish can add one more round. */
    private static final int MAX_PUBLISH_ROUNDS = 3;
    /** How long the Bridge holds a request for a change (its notificationWait caps it). */
    static final Duration CHANGE_WAIT = Duration.ofSeconds(25);
    /** After a failed sync, or with a Bridge that answers at once without a change (one without long polls): the next sync. */
    static final Duration RETRY = Duration.ofSeconds(10);

    private final RouterConfig config;
    private final BridgeClient bridge;
    private final RoutingTable routes;
    private final Map<String, PublicKeys> keys;
    private final PeerAccess access;
    private final PeerPins pins;
    private final DirectoryFreshness freshness;
    private final PublicKeys self;
    private final Clock clock;
    private final RepeatingLog log = new RepeatingLog(LOG, LOG_PERIOD);
    /** Conditions currently reported (a conflict, a skipped record, a failed sync), to say when each clears. */
    private final Set<String> current = new HashSet<>();
    private volatile Directory accepted;
    /** Where the exported devices come from: the live table once the router runs (the console changes it). */
    private volatile java.util.function.Supplier<List<Device>> devices;
    /** The outcome of the last sync, for the console's status page. */
    private volatile Instant lastSync, lastSuccess;
    private volatile boolean lastOk;

    /**
     * @param keys filled with the keys this router uses for each peer: pinned ones only ({@link PeerPins})
     * @param self this router's own public keys (used for itself, whatever the directory says)
     */
    DirectorySync(RouterConfig config, BridgeClient bridge, RoutingTable routes, Map<String, PublicKeys> keys, PeerAccess access,
                  PeerPins pins, DirectoryFreshness freshness, PublicKeys self, Clock clock) {
        this.config = config;
        this.devices = config::devices;
        this.bridge = bridge;
        this.routes = routes;
        this.keys = keys;
        this.access = access;
        this.pins = pins;
        this.freshness = freshness;
        this.self = self;
        this.clock = clock;
    }

    /** The last directory accepted (verified, current), if any since start. */
    Optional<Directory> accepted() {
        return Optional.ofNullable(accepted);
    }

    /** One sync; a failure of the whole is logged (summarised) and the cached table stays in use. Returns whether it succeeded. */
    synchronized boolean run() {
        boolean ok = runOnce();
        lastSync = clock.instant();
        lastOk = ok;
        if (ok) lastSuccess = lastSync;
        return ok;
    }

    /** Publishes the exports of this table from now on. */
    void exportsFrom(LocalDevices table) {
        devices = table::all;
    }

    /** When the last sync ran and whether it reached the Bridge and was accepted; null times: none yet. */
    record SyncState(Instant last, boolean ok, Instant lastSuccess) {}

    SyncState state() {
        return new SyncState(lastSync, lastOk, lastSuccess);
    }

    private boolean runOnce() {
        Set<String> seen = new HashSet<>();
        try {
            syncOnce(seen);
            clearAllBut(seen);
            return true;
        } catch (BridgeUnreachableException e) {
            report(seen, "sync:unreachable", System.Logger.Level.WARNING, "directory sync: " + e.getMessage() + "; using the cached routing table");
        } catch (BridgeAuthException e) {
            // Authority logs the refusal itself (once, at ERROR): here only a reminder now and then.
            report(seen, "sync:refused", System.Logger.Level.WARNING, "directory sync refused: " + Authority.REFUSED + " (" + e.getMessage()
                    + "); using the cached routing table");
        } catch (DirectoryVerificationException e) {
            report(seen, "sync:verification", System.Logger.Level.ERROR, "directory sync: " + e.getMessage() + "; using the last good directory");
        } catch (IOException | RuntimeException e) {
            report(seen, "sync:failed", System.Logger.Level.WARNING, "directory sync with the Bridge failed: " + FailureText.of(e)
                    + "; using the cached routing table");
        }
        // The conditions of the parts that did run are still current; those of a failed sync are not cleared.
        return false;
    }

    /**
     * Keeps the directory current on {@code executor} (its owner stops it with shutdownNow): a long
     * poll at the Bridge until the directory changes ({@link BridgeClient#directoryAfter}), then a
     * sync; a routing-table change reaches this router within a round trip, whichever router
     * started first. After a failure, the next sync in {@link #RETRY}.
     */
    void watch(ScheduledExecutorService executor) {
        executor.execute(() -> watchOnce(executor));
    }

    private void watchOnce(ScheduledExecutorService executor) {
        Duration next = Duration.ZERO;
        Directory known = accepted;
        if (known != null) {
            long start = System.nanoTime();
            try {
                Directory d = bridge.directoryAfter(known.version(), CHANGE_WAIT);
                boolean tooSoon = Duration.ofNanos(System.nanoTime() - start).compareTo(CHANGE_WAIT.dividedBy(2)) < 0;
                if (d.version() == known.version() && tooSoon) next = RETRY; // a Bridge without long polls: poll as before
            } catch (java.io.InterruptedIOException closing) {
                return;
            } catch (IOException | RuntimeException e) {
                next = RETRY; // the sync below reports it
            }
        }
        if (Thread.currentThread().isInterrupted()) return;
        if (!run()) next = RETRY;
        try {
            executor.schedule(() -> watchOnce(executor), next.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the router is closing
        }
    }

    private void syncOnce(Set<String> seen) throws IOException {
        publish(seen);
        Directory dir = bridge.directory();
        freshness.check(dir, clock.instant());
        for (String r : dir.rejected()) {
            report(seen, "record:" + r, System.Logger.Level.ERROR, "directory record skipped: " + r + " (the other records are used)");
        }
        Map<String, PublicKeys> trusted = new HashMap<>();
        Set<String> known = new HashSet<>(); // pinned, even if a change of keys waits for confirmation: routed, not sent to
        for (Directory.Router r : dir.routers()) {
            RouterRecord rec = r.record();
            if (rec.routerId().equals(config.routerId())) {
                trusted.put(self.routerId(), self);
                continue;
            }
            PublicKeys published;
            try {
                published = new PublicKeys(rec.routerId(), rec.hpkePublicKey(), rec.signaturePublicKey());
            } catch (IllegalArgumentException e) {
                // Keys of a shape we do not use (an extra key, another algorithm): that router is refused, the others are used.
                report(seen, "record:router " + rec.routerId() + " (public keys)", System.Logger.Level.ERROR, "directory record skipped: "
                        + e.getMessage() + "; its AE titles are not routed and its messages not accepted (the other records are used)");
                continue;
            }
            PublicKeys before = pins.pin(rec.routerId()).map(PeerPins.Pin::pinned).orElse(null);
            switch (pins.observe(published, r.keyHistory())) {
                case REFUSED -> report(seen, "pin:" + rec.routerId() + ":" + published.fingerprint(), System.Logger.Level.ERROR,
                        "router " + rec.routerId() + ": the directory shows new keys (fingerprint " + published.fingerprint()
                                + ") without a rotation proof from the pinned keys (fingerprint " + before.fingerprint()
                                + "); refused: nothing is sent to or accepted from router " + rec.routerId() + " until an operator "
                                + "compares the new fingerprint with that router's operator and runs 'router peers confirm --router "
                                + rec.routerId() + " --fingerprint " + published.fingerprint() + "'");
                case ROTATED -> LOG.log(System.Logger.Level.INFO, "router " + rec.routerId() + " rotated its keys (fingerprint "
                        + before.fingerprint() + " -> " + published.fingerprint() + ", signed by the old keys)");
                case CONFIRMED -> LOG.log(System.Logger.Level.WARNING, "router " + rec.routerId() + ": new keys (fingerprint "
                        + published.fingerprint() + ") accepted on the operator's confirmation; pinned keys were " + before.fingerprint());
                case FIRST_SIGHT -> LOG.log(System.Logger.Level.INFO, "router " + rec.routerId() + ": keys pinned on first sight (fingerprint "
                        + published.fingerprint() + ")");
                case SAME -> { }
            }
            known.add(rec.routerId());
            pins.trusted(rec.routerId()).ifPresent(k -> trusted.put(rec.routerId(), k));
        }
        // Only what the access matrix grants this router, of what the owner exports.
        List<RoutingTable.Route> list = new ArrayList<>();
        for (var ae : dir.aes()) {
            if (!ae.routerId().equals(config.routerId()) && known.contains(ae.routerId())) {
                Set<String> services = new TreeSet<>(ae.services());
                services.retainAll(dir.access().services(config.routerId(), ae.aeTitle(), ae.routerId()));
                if (!services.isEmpty()) list.add(new RoutingTable.Route(ae.aeTitle(), ae.routerId(), services));
            }
        }
        routes.replace(list);
        access.replace(dir.access());
        keys.keySet().retainAll(trusted.keySet()); // a revoked, skipped or unconfirmed router's messages are no longer accepted
        keys.putAll(trusted);
        // The files last: a full disk must not keep the router on an old directory in memory.
        pins.save();
        freshness.accepted(dir);
        routes.save(config.state().resolve("routes.json"));
        access.save(config.state().resolve(ACCESS_CACHE));
        AssignmentCache.save(config.state(), dir.router(config.routerId()).map(Directory.Router::assignment).orElse(null));
        accepted = dir;
    }

    /** Publishes our exported AE titles, leaving out any another router exports already. */
    private void publish(Set<String> seen) throws IOException {
        List<AeExport> exports = new ArrayList<>();
        for (Device d : devices.get()) {
            if (d.exported()) exports.add(new AeExport(d.aeTitle(), d.services()));
        }
        for (int round = 1; ; round++) {
            try {
                bridge.publishAes(exports);
                return;
            } catch (AeConflictException e) {
                Set<String> refused = new HashSet<>();
                for (AeConflictException.Conflict c : e.conflicts()) {
                    refused.add(c.aeTitle());
                    report(seen, "conflict:" + c.aeTitle(), System.Logger.Level.ERROR, "AE title " + c.aeTitle() + " is not published: router "
                            + (c.ownerRouterId() == null ? "(unnamed)" : c.ownerRouterId()) + " owns it (AE title conflict, "
                            + "refused by the Bridge); this router's other AE titles are published. Rename the device, or have the "
                            + "Bridge administrator release the title (dicom-relay bridge release-ae)");
                }
                int before = exports.size();
                exports.removeIf(x -> refused.contains(x.aeTitle()));
                if (exports.size() == before || round == MAX_PUBLISH_ROUNDS) {
                    // The Bridge named nothing we could leave out: report it and go on with the directory.
                    report(seen, "publish", System.Logger.Level.ERROR, "publishing this router's AE titles failed: " + e.getMessage());
                    return;
                }
            } catch (BridgeException e) {
                if (e instanceof BridgeAuthException) throw e;
                // Refused for another reason (a bad AE list): the directory is still worth taking.
                report(seen, "publish", System.Logger.Level.ERROR, "publishing this router's AE titles failed: " + e.getMessage());
                return;
            }
        }
    }

    private void report(Set<String> seen, String key, System.Logger.Level level, String message) {
        seen.add(key);
        current.add(key);
        log.occurred(key, level, message);
    }

    private void clearAllBut(Set<String> seen) {
        for (String key : new ArrayList<>(current)) {
            if (seen.contains(key)) continue;
            current.remove(key);
            log.cleared(key, clearedMessage(key));
        }
    }

    private static String clearedMessage(String key) {
        if (key.startsWith("sync:")) return "directory sync with the Bridge works again";
        if (key.startsWith("conflict:")) return "AE title " + key.substring("conflict:".length()) + " is no longer in conflict";
        if (key.startsWith("record:")) return "directory record no longer skipped: " + key.substring("record:".length());
        if (key.startsWith("pin:")) return "router " + key.split(":")[1] + ": the refused keys are no longer in the directory, or were confirmed";
        return "publishing this router's AE titles works again";
    }
}
