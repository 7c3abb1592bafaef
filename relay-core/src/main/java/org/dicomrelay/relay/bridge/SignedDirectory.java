package org.dicomrelay.relay.bridge;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.crypto.tink.PublicKeyVerify;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dicomrelay.relay.bridge.api.DirectoryAnswer;
import org.dicomrelay.relay.crypto.KeyRotation;
import org.dicomrelay.relay.crypto.PublicKeys;

/**
 * The directory on the wire: {@code {"document": base64(JSON bytes), "signature": base64}}, the
 * Bridge's Ed25519 signature over {@code "dicom-relay directory v1\0" || document bytes}. The
 * whole document is signed, whatever fields it holds, so nothing in it (keys, key history,
 * provider assignments, AE titles, the access matrix) can be changed or mixed with another
 * version's. The document:
 *
 * The document is a {@link org.dicomrelay.relay.bridge.api.DirectoryDocument}:
 * <pre>{"format": "dicom-relay directory v1", "version": 7, "issuedAt": ISO-8601, "expiresAt": ISO-8601,
 *  "routers": [{"routerId", "publicKeys": {"hpke", "signature"},
 *               "keyHistory": [{"hpke", "signature", "proof"?}...], "provider": {"name", "settings"} | null}],
 *  "aes": [{"aeTitle", "routerId", "services"}]}</pre>
 */
public final class SignedDirectory {
    public static final String FORMAT = "dicom-relay directory v1";
    private static final byte[] CONTEXT = (FORMAT + "\0").getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = new ObjectMapper();

    private SignedDirectory() {}

    /** The bytes the Bridge signs for a document. */
    public static byte[] signedBytes(byte[] document) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(CONTEXT.length + document.length);
        out.writeBytes(CONTEXT);
        out.writeBytes(document);
        return out.toByteArray();
    }

    /**
     * Checks the signature, then parses. A malformed record is left out (and listed in
     * {@link Directory#rejected()}); the signature and the document's own fields are all or nothing.
     *
     * @throws DirectoryVerificationException if the signature does not verify with the pinned Bridge key
     */
    static Directory open(DirectoryAnswer wire, PublicKeyVerify bridge) throws IOException {
        byte[] document = base64(wire.document(), "document");
        byte[] signature = base64(wire.signature(), "signature");
        try {
            bridge.verify(signature, signedBytes(document));
        } catch (GeneralSecurityException e) {
            throw new DirectoryVerificationException("the directory's signature does not verify with the pinned Bridge key "
                    + "(altered, or from another Bridge); directory rejected", e);
        }
        JsonNode d;
        try {
            d = JSON.readTree(document);
        } catch (JacksonException e) {
            throw new DirectoryVerificationException("the signed directory is not JSON", e);
        }
        if (d == null || !FORMAT.equals(d.path("format").asText())) {
            throw new DirectoryVerificationException("the signed directory is not in the format " + FORMAT);
        }
        JsonNode version = d.get("version");
        if (version == null || !version.canConvertToLong()) throw new DirectoryVerificationException("directory without a version");
        Instant issuedAt = instant(d, "issuedAt");
        Instant expiresAt = instant(d, "expiresAt");
        List<String> rejected = new ArrayList<>();
        Map<String, Directory.Router> routers = new LinkedHashMap<>();
        Set<String> twice = new HashSet<>();
        for (JsonNode r : array(d, "routers")) {
            try {
                Directory.Router router = router(r);
                if (routers.putIfAbsent(router.routerId(), router) != null) twice.add(router.routerId());
            } catch (IOException | IllegalArgumentException e) {
                rejected.add("router " + r.path("routerId").asText("?") + ": " + e.getMessage());
            }
        }
        for (String id : twice) {
            routers.remove(id);
            rejected.add("router " + id + " is listed twice");
        }
        Map<String, AeRecord> aes = new LinkedHashMap<>();
        Set<String> titlesTwice = new HashSet<>();
        for (JsonNode a : array(d, "aes")) {
            try {
                List<String> services = new ArrayList<>();
                for (JsonNode s : array(a, "services")) services.add(s.asText());
                AeRecord ae = new AeRecord(text(a, "aeTitle"), text(a, "routerId"), services);
                if (!routers.containsKey(ae.routerId())) {
                    throw new IOException("names router " + ae.routerId() + ", which is not in the directory (or was skipped)");
                }
                if (aes.putIfAbsent(ae.aeTitle(), ae) != null) titlesTwice.add(ae.aeTitle());
            } catch (IOException | IllegalArgumentException e) {
                rejected.add("AE " + a.path("aeTitle").asText("?") + ": " + e.getMessage());
            }
        }
        for (String title : titlesTwice) {
            aes.remove(title);
            rejected.add("AE " + title + " is listed twice");
        }
        AccessGrants access = AccessGrants.parse(d, rejected);
        return new Directory(version.asLong(), issuedAt, expiresAt, new ArrayList<>(routers.values()), new ArrayList<>(aes.values()),
                rejected, access, d);
    }

    private static Directory.Router router(JsonNode r) throws IOException {
        String id = text(r, "routerId");
        JsonNode keys = r.path("publicKeys");
        RouterRecord record = new RouterRecord(id, base64(keys, "hpke"), base64(keys, "signature"));
        List<KeyRotation.Step> history = new ArrayList<>();
        JsonNode h = r.get("keyHistory");
        if (h != null && !h.isNull()) {
            if (!h.isArray() || h.size() > KeyRotation.MAX_CHAIN + 1) throw new IOException("keyHistory must be an array of at most "
                    + (KeyRotation.MAX_CHAIN + 1) + " entries");
            for (JsonNode step : h) {
                byte[] proof = step.hasNonNull("proof") ? base64(step, "proof") : null;
                history.add(new KeyRotation.Step(new PublicKeys(id, base64(step, "hpke"), base64(step, "signature")), proof));
            }
        }
        // A history that does not end with the current keys proves nothing about them: PeerPins then refuses the change.
        ProviderAssignment assignment = null;
        JsonNode p = r.get("provider");
        if (p != null && !p.isNull()) {
            Map<String, String> settings = new LinkedHashMap<>();
            p.path("settings").properties().forEach(e -> settings.put(e.getKey(), e.getValue().asText()));
            assignment = new ProviderAssignment(text(p, "name"), settings);
        }
        return new Directory.Router(record, history, assignment);
    }

    private static Instant instant(JsonNode n, String field) throws IOException {
        try {
            return Instant.parse(text(n, field));
        } catch (DateTimeParseException e) {
            throw new DirectoryVerificationException("directory field '" + field + "' is not an ISO-8601 instant");
        }
    }

    private static String text(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) throw new IOException("lacks '" + field + "'");
        return v.asText();
    }

    private static byte[] base64(JsonNode n, String field) throws IOException {
        return base64(text(n, field), field);
    }

    private static byte[] base64(String value, String field) throws IOException {
        if (value == null) throw new IOException("lacks '" + field + "'");
        try {
            return Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid base64 in '" + field + "'");
        }
    }

    private static JsonNode array(JsonNode n, String field) throws IOException {
        JsonNode v = n.get(field);
        if (v == null || !v.isArray()) throw new IOException("lacks the array '" + field + "'");
        return v;
    }
}
