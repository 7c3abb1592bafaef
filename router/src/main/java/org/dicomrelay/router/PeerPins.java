package org.dicomrelay.router;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;
import org.dicomrelay.relay.bridge.RouterRecord;
import org.dicomrelay.relay.crypto.KeyRotation;
import org.dicomrelay.relay.crypto.PublicKeys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The peers' public keys this router trusts, pinned on first sight in the directory
 * ({@value #FILE}, owner-only). A later directory with other keys for a peer is accepted only
 * with a chain of rotation proofs from the pinned keys ({@link KeyRotation}) or an operator's
 * confirmation of the new fingerprint ({@link #confirm}, written into {@value #CONFIRMATIONS} by
 * the {@code router peers confirm} command); otherwise the new keys stay <em>pending</em>, the
 * pinned ones stay, and the peer gets nothing: {@link #trusted} leaves it out, so no frame is
 * sealed to the new keys and none signed by them is opened. Not thread-safe: {@link DirectorySync} owns it.
 */
final class PeerPins {
    static final String FILE = "peer-pins.json";
    static final String CONFIRMATIONS = "peer-confirmations";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{64}");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final System.Logger LOG = System.getLogger(PeerPins.class.getName());

    /** A peer's pinned keys and, while a change waits for proof or confirmation, the keys the directory shows instead. */
    record Pin(PublicKeys pinned, PublicKeys pending) {}

    /** What {@link #observe} made of a peer's published keys. */
    enum Outcome { FIRST_SIGHT, SAME, ROTATED, CONFIRMED, REFUSED }

    private final Path state;
    private final Map<String, Pin> pins = new TreeMap<>();

    private PeerPins(Path state) {
        this.state = state;
    }

    /** The pins of a state folder; an entry that no longer parses is dropped (and logged), the others are kept. */
    static PeerPins load(Path state) throws IOException {
        PeerPins p = new PeerPins(state);
        Path f = state.resolve(FILE);
        if (!Files.exists(f)) return p;
        JsonNode root = JSON.readTree(f.toFile());
        if (root == null || !root.isObject()) throw new IOException(f + ": expected a JSON object of pinned peers");
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            try {
                JsonNode n = e.getValue();
                PublicKeys pinned = PublicKeys.fromJson(n.path("pinned").toString());
                PublicKeys pending = n.hasNonNull("pending") ? PublicKeys.fromJson(n.get("pending").toString()) : null;
                p.pins.put(e.getKey(), new Pin(pinned, pending));
            } catch (IOException | RuntimeException bad) {
                LOG.log(System.Logger.Level.ERROR, f + ": pin of router " + e.getKey() + " dropped, it is pinned again on next sight: "
                        + FailureText.of(bad));
            }
        }
        return p;
    }

    /**
     * Takes a peer's keys from a verified directory. First sight pins them; the pinned keys again
     * change nothing; other keys are pinned only if the key history leads to them from the pinned
     * keys, or the operator confirmed their fingerprint; else they are left pending.
     */
    Outcome observe(PublicKeys published, List<KeyRotation.Step> history) throws IOException {
        String id = published.routerId();
        Pin pin = pins.get(id);
        if (pin == null) {
            pins.put(id, new Pin(published, null));
            return Outcome.FIRST_SIGHT;
        }
        if (pin.pinned().equals(published)) {
            pins.put(id, new Pin(published, null));
            return Outcome.SAME;
        }
        try {
            if (KeyRotation.follow(pin.pinned(), history).equals(published)) {
                pins.put(id, new Pin(published, null));
                return Outcome.ROTATED;
            }
        } catch (GeneralSecurityException notProven) {
            // not a rotation from the keys we pinned: only the operator may accept it
        }
        Optional<String> confirmed = confirmation(state, id);
        if (confirmed.isPresent() && confirmed.get().equals(published.fingerprint())) {
            pins.put(id, new Pin(published, null));
            Files.deleteIfExists(confirmations(state).resolve(id));
            return Outcome.CONFIRMED;
        }
        pins.put(id, new Pin(pin.pinned(), published));
        return Outcome.REFUSED;
    }

    /** The keys to use for a peer: its pinned keys, unless a change of them waits for confirmation (then none). */
    Optional<PublicKeys> trusted(String routerId) {
        Pin p = pins.get(routerId);
        return p == null || p.pending() != null ? Optional.empty() : Optional.of(p.pinned());
    }

    Optional<Pin> pin(String routerId) {
        return Optional.ofNullable(pins.get(routerId));
    }

    Map<String, Pin> all() {
        return new LinkedHashMap<>(pins);
    }

    void save() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        pins.forEach((id, p) -> {
            ObjectNode n = root.putObject(id);
            n.set("pinned", json(p.pinned()));
            if (p.pending() != null) n.set("pending", json(p.pending()));
        });
        OwnerOnly.replace(state.resolve(FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
    }

    /**
     * The operator's word that {@code routerId}'s keys with this fingerprint are genuine (compared out
     * of band, e.g. by telephone with the peer's operator). A running router applies it at its next
     * directory sync; one given before the keys appear waits for them.
     */
    static void confirm(Path state, String routerId, String fingerprint) throws IOException {
        RouterRecord.requireValidRouterId(routerId);
        String fp = fingerprint.strip().toLowerCase(java.util.Locale.ROOT).replace(":", "");
        if (!FINGERPRINT.matcher(fp).matches()) throw new IllegalArgumentException("a fingerprint is 64 hexadecimal digits (SHA-256)");
        OwnerOnly.folder(state);
        OwnerOnly.folder(confirmations(state));
        OwnerOnly.replace(confirmations(state).resolve(routerId), fp.getBytes(StandardCharsets.US_ASCII));
    }

    static Optional<String> confirmation(Path state, String routerId) throws IOException {
        Path f = confirmations(state).resolve(routerId);
        if (!Files.isRegularFile(f) || Files.size(f) > 128) return Optional.empty();
        return Optional.of(Files.readString(f, StandardCharsets.US_ASCII).strip());
    }

    private static Path confirmations(Path state) {
        return state.resolve(CONFIRMATIONS);
    }

    private static JsonNode json(PublicKeys k) {
        try {
            return JSON.readTree(k.toJson());
        } catch (IOException e) {
            throw new IllegalStateException("PublicKeys.toJson is JSON", e);
        }
    }
}
