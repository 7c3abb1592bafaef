package org.dicomrelay.router.link;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One message between routers, inside an envelope: its type, the operation it belongs to, and
 * small named fields (AE titles, statuses, identifiers as DICOM JSON). Large data (a DICOM
 * object) travels beside it as a payload stream.
 */
public record Frame(Type type, String operationId, Map<String, Object> fields) {

    public enum Type {
        ECHO_RQ, ECHO_RSP,
        STORE_RQ, STORE_RSP,
        FIND_RQ, FIND_RSP,
        MOVE_RQ, MOVE_RSP,
        GET_RQ, GET_RSP,
        /** An instance obtained for a C-MOVE/C-GET, on its way to the requesting router. */
        INSTANCE, INSTANCE_RSP,
        CANCEL
    }

    /** The DICOM status of an answer (an int). */
    public static final String STATUS = "status";
    /** The error comment of a failed answer: what went wrong, in words an operator can act on. */
    public static final String ERROR = "error";
    /** {@link Failure#wire()} of a failed answer, when the performing router knows its class. */
    public static final String FAILURE = "failure";

    public Frame {
        fields = new LinkedHashMap<>(fields);
    }

    public static Frame of(Type type, String operationId) {
        return new Frame(type, operationId, Map.of());
    }

    public Frame with(String key, Object value) {
        if (value != null) fields.put(key, value);
        return this;
    }

    /** A failed answer: its status, its error comment and whether the failure may pass. */
    public Frame failed(int status, String error, Failure failure) {
        return with(STATUS, status).with(ERROR, error).with(FAILURE, failure.wire());
    }

    public String string(String key) {
        Object v = fields.get(key);
        return v == null ? null : v.toString();
    }

    public int integer(String key, int defaultValue) {
        Object v = fields.get(key);
        return v instanceof Number n ? n.intValue() : v == null ? defaultValue : Integer.parseInt(v.toString());
    }
}
