package org.dicomrelay.router.link;

/**
 * Where a received frame waits for a thread: one sending router's requests, its answers to this
 * router's own requests, or its cancels. Each has its own bound, so a peer's flood of requests
 * neither starves the answers this router awaits nor holds back a CANCEL behind the C-MOVE it cancels.
 */
record Lane(String senderId, Kind kind) {

    enum Kind { REQUESTS, ANSWERS, CANCELS }

    static Lane of(String senderId, Frame.Type type) {
        Kind kind = switch (type) {
            case CANCEL -> Kind.CANCELS;
            // An INSTANCE is part of the answer to this router's own C-MOVE/C-GET.
            case ECHO_RSP, STORE_RSP, FIND_RSP, MOVE_RSP, GET_RSP, INSTANCE, INSTANCE_RSP -> Kind.ANSWERS;
            case ECHO_RQ, STORE_RQ, FIND_RQ, MOVE_RQ, GET_RQ -> Kind.REQUESTS;
        };
        return new Lane(senderId, kind);
    }
}
