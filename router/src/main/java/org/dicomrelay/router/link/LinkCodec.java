package org.dicomrelay.router.link;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The wire form of a {@link LinkMessage}, inside its envelope: a JSON object
 * {@code {"type": "STORE_RQ", "blob": "<name>" or null, "message": {<the record's components>}}}.
 * Strict both ways: an unknown type, an unknown or missing field, a wrong JSON type or a
 * missing required value is refused with an error that names it.
 */
public final class LinkCodec {
    private static final String TYPE = "type";
    private static final String BLOB = "blob";
    private static final String MESSAGE = "message";
    private static final Set<String> ENVELOPE_FIELDS = Set.of(TYPE, BLOB, MESSAGE);

    /** Every type by its wire name; explicit, so that renaming a record cannot change the wire. */
    private static final Map<String, Class<? extends LinkMessage>> TYPES = types();
    private static final Map<Class<? extends LinkMessage>, String> NAMES = names();

    /**
     * Fields added after routers were deployed, with what a frame from an older router means by
     * leaving them out: routers can then be upgraded one at a time. A frame leaves such a field out
     * when it has that value. Every other field stays required. (A STORE_RSP_BATCH's answers are
     * STORE_RSPs: theirs are added fields too.)
     */
    private static final Map<Class<? extends LinkMessage>, Map<String, JsonNode>> ADDED_FIELDS = Map.of(
            LinkMessage.StoreRq.class, Map.of("compression", TextNode.valueOf(PayloadCodec.NONE.wireName())),
            LinkMessage.Instance.class, Map.of("compression", TextNode.valueOf(PayloadCodec.NONE.wireName())),
            LinkMessage.StoreRsp.class, Map.of("receivedAtMillis", NullNode.getInstance(), "storedAtMillis", NullNode.getInstance()));

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    /** A decoded message and the name of the blob holding its payload (null when it has none). */
    public record Decoded(LinkMessage message, String blob) {}

    /** A message that does not decode; {@link #blob()} is the payload it named, if that much could be read. */
    public static final class MalformedMessageException extends IOException {
        private final String blob;

        MalformedMessageException(String message, String blob, Throwable cause) {
            super(message, cause);
            this.blob = blob;
        }

        public String blob() {
            return blob;
        }
    }

    private LinkCodec() {}

    private static Map<String, Class<? extends LinkMessage>> types() {
        Map<String, Class<? extends LinkMessage>> m = new LinkedHashMap<>();
        m.put("ECHO_RQ", LinkMessage.EchoRq.class);
        m.put("ECHO_RSP", LinkMessage.EchoRsp.class);
        m.put("STORE_RQ", LinkMessage.StoreRq.class);
        m.put("STORE_RSP", LinkMessage.StoreRsp.class);
        m.put("STORE_RSP_BATCH", LinkMessage.StoreRspBatch.class);
        m.put("STORE_BUNDLE", LinkMessage.StoreBundle.class);
        m.put("FIND_RQ", LinkMessage.FindRq.class);
        m.put("FIND_RSP", LinkMessage.FindRsp.class);
        m.put("MOVE_RQ", LinkMessage.MoveRq.class);
        m.put("MOVE_RSP", LinkMessage.MoveRsp.class);
        m.put("GET_RQ", LinkMessage.GetRq.class);
        m.put("GET_RSP", LinkMessage.GetRsp.class);
        m.put("INSTANCE", LinkMessage.Instance.class);
        m.put("CANCEL", LinkMessage.Cancel.class);
        return Map.copyOf(m);
    }

    private static Map<Class<? extends LinkMessage>, String> names() {
        Map<Class<? extends LinkMessage>, String> m = new LinkedHashMap<>();
        TYPES.forEach((name, type) -> m.put(type, name));
        return Map.copyOf(m);
    }

    /** The wire name of the message's type. */
    static String typeOf(LinkMessage m) {
        return NAMES.get(m.getClass());
    }

    /** The message with the name of its payload's blob ({@code blob} null when there is none). */
    public static byte[] encode(LinkMessage message, String blob) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put(TYPE, typeOf(message));
        root.put(BLOB, blob);
        ObjectNode fields = JSON.valueToTree(message);
        // Left out when they say what leaving them out means, so that a router from before them reads the frame too.
        forEachMessage(message.getClass(), fields, (added, m) -> added.forEach((name, absent) -> {
            if (absent.equals(m.get(name))) m.remove(name);
        }));
        root.set(MESSAGE, fields);
        return JSON.writeValueAsBytes(root);
    }

    public static Decoded decode(byte[] json) throws MalformedMessageException {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw new MalformedMessageException("the message is not JSON: " + original(e), null, e);
        }
        if (root == null || !root.isObject()) throw new MalformedMessageException("the message is not a JSON object", null, null);
        JsonNode blobNode = root.get(BLOB);
        String blob = blobNode != null && blobNode.isTextual() ? blobNode.asText() : null;
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!ENVELOPE_FIELDS.contains(name)) throw new MalformedMessageException("unknown field '" + name + "' in the message", blob, null);
        }
        if (blobNode != null && !blobNode.isNull() && (blob == null || !org.dicomrelay.relay.cloud.BlobNames.isValid(blob))) {
            throw new MalformedMessageException("the blob of the message is not a blob name", null, null);
        }
        JsonNode typeNode = root.get(TYPE);
        if (typeNode == null || !typeNode.isTextual()) throw new MalformedMessageException("the message has no type", blob, null);
        Class<? extends LinkMessage> type = TYPES.get(typeNode.asText());
        if (type == null) throw new MalformedMessageException("unknown message type '" + typeNode.asText() + "'", blob, null);
        JsonNode body = root.get(MESSAGE);
        if (body == null || !body.isObject()) {
            throw new MalformedMessageException(typeNode.asText() + " has no message object", blob, null);
        }
        ObjectNode fields = (ObjectNode) body;
        forEachMessage(type, fields, (added, m) -> added.forEach((name, absent) -> {
            if (!m.has(name)) m.set(name, absent);
        }));
        try {
            return new Decoded(JSON.treeToValue(fields, type), blob);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new MalformedMessageException("malformed " + typeNode.asText() + ": " + original(e), blob, e);
        }
    }

    /**
     * Hands {@code f} each message object of a frame with the fields added to its type: the message
     * itself, or for a batch each STORE_RSP in it.
     */
    private static void forEachMessage(Class<? extends LinkMessage> type, ObjectNode body,
                                       java.util.function.BiConsumer<Map<String, JsonNode>, ObjectNode> f) {
        if (type == LinkMessage.StoreRspBatch.class) {
            for (JsonNode answer : body.path("answers")) {
                if (answer instanceof ObjectNode o) f.accept(ADDED_FIELDS.get(LinkMessage.StoreRsp.class), o);
            }
        } else {
            f.accept(ADDED_FIELDS.getOrDefault(type, Map.of()), body);
        }
    }

    /** Jackson's message without its location and reference chain, which say nothing to an operator. */
    private static String original(Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if (root instanceof IllegalArgumentException && root.getMessage() != null) return root.getMessage();
        if (e instanceof JsonProcessingException j && j.getOriginalMessage() != null) return j.getOriginalMessage();
        return org.dicomrelay.dicom.net.FailureText.of(e);
    }
}
