package org.dicomrelay.router.link;

/**
 * Where a received message waits for a thread. Each kind has its own bound per sending router, so
 * that interactive work never waits behind bulk data (issue 10): a C-ECHO or C-FIND is not queued
 * behind the C-STOREs of large objects, a CANCEL not behind the C-MOVE it cancels, the answers this
 * router awaits not behind a peer's flood of requests. C-STOREs have a lane per destination (the
 * called AE title: one device here), so a dead or slow PACS holds only its own lane.
 *
 * @param destination the called AE title of a C-STORE; null for the other kinds, and for the
 *                    C-STOREs that share one lane when a sender has too many destinations at once
 */
record Lane(String senderId, Kind kind, String destination) {

    enum Kind {
        /** C-ECHO and C-FIND requests: short, answered while a user waits. */
        INTERACTIVE,
        /** C-MOVE and C-GET requests (retrieve control): long-running here, kept off the interactive lane too. */
        RETRIEVES,
        /** C-STORE requests, bulk data: one lane per destination. */
        STORES,
        /** C-CANCEL of an earlier request. */
        CANCELS,
        /** Answers to this router's C-ECHO, C-FIND and C-STORE requests. */
        ANSWERS,
        /** The INSTANCEs of this router's own C-MOVE/C-GET and its final answer: one lane keeps them in order. */
        RETRIEVED;

        /** Frames this router awaits itself: dropping one loses an answer or an image, so they get a deeper queue. */
        boolean awaited() {
            return this == ANSWERS || this == RETRIEVED;
        }
    }

    Lane(String senderId, Kind kind) {
        this(senderId, kind, null);
    }

    /** Interactive work by name; any other request (C-STORE, or a bulk type added later) is bulk, per destination. */
    static Lane of(String senderId, LinkMessage m) {
        if (m instanceof LinkMessage.Cancel) return new Lane(senderId, Kind.CANCELS);
        if (m instanceof LinkMessage.EchoRq || m instanceof LinkMessage.FindRq) return new Lane(senderId, Kind.INTERACTIVE);
        if (m instanceof LinkMessage.RetrieveRq) return new Lane(senderId, Kind.RETRIEVES);
        if (m instanceof LinkMessage.Request rq) return new Lane(senderId, Kind.STORES, rq.calledAe());
        if (m instanceof LinkMessage.StoreBundle b) return new Lane(senderId, Kind.STORES, b.calledAe());
        if (m instanceof LinkMessage.Instance || m instanceof LinkMessage.RetrieveRsp) return new Lane(senderId, Kind.RETRIEVED);
        return new Lane(senderId, Kind.ANSWERS);
    }

    /** The lane shared by a sender's C-STOREs to destinations beyond those with a lane of their own. */
    Lane sharedStores() {
        return new Lane(senderId, kind);
    }

    @Override public String toString() {
        return senderId + " " + kind + (destination == null ? "" : " to " + destination);
    }
}
