package org.dicomrelay.bridge;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.dicomrelay.relay.bridge.api.ApiJson;

/**
 * Request bodies read as the shared API records ({@code org.dicomrelay.relay.bridge.api}), with
 * the 400 answers that name what is wrong: the field of the wrong JSON type, or the missing one.
 * A message never quotes the body: bodies carry tokens.
 */
final class RequestBodies {
    private static final ObjectMapper JSON = ApiJson.mapper();

    private RequestBodies() {}

    /** The body as {@code type}; {@code expected} (e.g. "an object {name, settings}") says what the body must be. */
    static <T> T read(Context ctx, Class<T> type, String expected) throws IOException {
        return read(ctx, JSON.constructType(type), expected);
    }

    /** The body as a JSON array of {@code element}, none of them null. */
    static <T> List<T> readList(Context ctx, Class<T> element, String expected) throws IOException {
        List<T> list = read(ctx, JSON.getTypeFactory().constructCollectionType(List.class, element), expected);
        if (list.contains(null)) throw ApiException.badRequest("expected " + expected);
        return list;
    }

    private static <T> T read(Context ctx, JavaType type, String expected) throws IOException {
        byte[] bytes = ctx.bodyAsBytes();
        if (bytes.length == 0) throw ApiException.badRequest("request body is missing");
        T value;
        try {
            value = JSON.readValue(bytes, type);
        } catch (ValueInstantiationException e) {
            // a record that checks itself (AeExport): its message says what is wrong, in our words
            Throwable cause = e.getCause();
            throw ApiException.badRequest(cause instanceof IllegalArgumentException ? cause.getMessage() : "expected " + expected);
        } catch (MismatchedInputException e) {
            String field = path(e);
            throw ApiException.badRequest(field.isEmpty() ? "expected " + expected : "'" + field + "' has the wrong JSON type");
        }
        if (value == null) throw ApiException.badRequest("expected " + expected);
        return value;
    }

    /** A required string field: "'field' (a string) is missing" if null or empty. */
    static String text(String value, String field) {
        if (value == null || value.isEmpty()) throw ApiException.badRequest("'" + field + "' (a string) is missing");
        return value;
    }

    /** A required base64 field, decoded. */
    static byte[] base64(String value, String field) {
        try {
            return Base64.getDecoder().decode(text(value, field));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest("'" + field + "' is not valid base64");
        }
    }

    /** The field path of a mapping failure, e.g. {@code publicKeys.hpke} or {@code [2].services}. */
    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining())
                .replaceFirst("^\\.", "");
    }
}
