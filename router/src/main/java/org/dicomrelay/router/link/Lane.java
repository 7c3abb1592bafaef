package org.dicomrelay.router.link;

/**
 * Where a received message waits for a thread: one sending router's requests, its answers to this
 * router's own requests, or its cancels. Each has its own bound, so a peer's flood of requests
 * neither starves the answers this router awaits nor holds back a CANCEL behind the C-MOVE it cancels.
 */
record Lane(String senderId, Kind kind) {

    enum Kind { REQUESTS, ANSWERS, CANCELS }

    static Lane of(String senderId, LinkMessage m) {
        Kind kind;
        if (m instanceof LinkMessage.Cancel) kind = Kind.CANCELS;
        else if (m instanceof LinkMessage.Request) kind = Kind.REQUESTS;
        else kind = Kind.ANSWERS; // an answer, or an INSTANCE: part of the answer to this router's own C-MOVE/C-GET
        return new Lane(senderId, kind);
    }
}
