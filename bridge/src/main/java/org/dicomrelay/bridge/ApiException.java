package org.dicomrelay.bridge;

/** Ends a request with an HTTP status and {"error": message}. Messages never contain secrets. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    /** More for the client to act on, added to the answer's JSON next to "error" (null: nothing more). */
    final transient java.util.Map<String, Object> details;

    ApiException(int status, String message) {
        this(status, message, null);
    }

    private ApiException(int status, String message, java.util.Map<String, Object> details) {
        super(message, null, false, false);
        this.status = status;
        this.details = details;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException unauthorized(String message) {
        return new ApiException(401, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }

    static ApiException conflict(String message) {
        return new ApiException(409, message);
    }

    /** 409 naming every AE title another router owns, and that router: {"conflicts": [{aeTitle, routerId}]}. */
    static ApiException aeConflicts(java.util.Map<String, String> ownerByAeTitle) {
        java.util.List<Object> list = new java.util.ArrayList<>();
        StringBuilder text = new StringBuilder();
        ownerByAeTitle.forEach((ae, owner) -> {
            list.add(java.util.Map.of("aeTitle", ae, "routerId", owner));
            text.append(text.length() == 0 ? "" : ", ").append("AE title ").append(ae).append(" is owned by router ").append(owner);
        });
        return new ApiException(409, text.toString(), java.util.Map.of("conflicts", list));
    }
}
