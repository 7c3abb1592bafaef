package org.dicomrelay.router.link;

import java.util.List;

/**
 * One message between routers, inside an envelope: one record per message type, each with
 * exactly the values that type carries (AE titles, UIDs, DICOM statuses, identifiers as DICOM
 * JSON). Large data (a DICOM object) travels beside it as a payload stream. {@link LinkCodec}
 * is its one wire form; {@link CloudCourier} decodes it, once authenticated, before any handler.
 */
public sealed interface LinkMessage {

    /** The operation this message belongs to (a random id chosen by the requesting router). */
    String operationId();

    /** The wire name of the type ({@code STORE_RQ}...): for logs. */
    default String type() {
        return LinkCodec.typeOf(this);
    }

    /** What one router asks of an AE another router exports. */
    sealed interface Request extends LinkMessage {
        String calledAe();

        String callingAe();

        /** The answer of this request's type that says it failed, why, and whether the failure may pass. */
        Answer failed(int status, String error, Failure failure);
    }

    /**
     * The answer to a {@link Request}: its DICOM status, the error comment of a failure (null
     * otherwise) and, when the performing router knows it, whether the failure may pass (else null).
     */
    sealed interface Answer extends LinkMessage {
        int status();

        String error();

        Failure failure();
    }

    /** A C-MOVE or a C-GET: the performing router retrieves the matches and sends each as an {@link Instance}. */
    sealed interface RetrieveRq extends Request {
        String sopClassUid();

        /** The identifier as DICOM JSON (PS3.18 Annex F). */
        String identifier();

        /** The final answer of this retrieve's type. */
        RetrieveRsp answer(int status, int failed, List<String> failedUids, String error, Failure failure);

        @Override default RetrieveRsp failed(int status, String error, Failure failure) {
            return answer(status, 0, List.of(), error, failure);
        }
    }

    /** The final answer of a C-MOVE or a C-GET at the performing router. */
    sealed interface RetrieveRsp extends Answer {
        /** Sub-operations that failed at the performing router (before they reached the requesting one). */
        int failed();

        /**
         * Failed SOP Instance UID List (0008,0058) of the performing router's final response; empty
         * when none; at most {@link #MAX_FAILED_UIDS} of them ({@link #failed()} counts them all).
         */
        List<String> failedUids();

        /** So that the final answer of a retrieve with thousands of failures still fits a notification (64 KiB at the Bridge). */
        int MAX_FAILED_UIDS = 500;

        /** The first {@link #MAX_FAILED_UIDS} UIDs. */
        static List<String> listed(List<String> failedUids) {
            if (failedUids == null) return List.of();
            return List.copyOf(failedUids.size() > MAX_FAILED_UIDS ? failedUids.subList(0, MAX_FAILED_UIDS) : failedUids);
        }
    }

    record EchoRq(String operationId, String calledAe, String callingAe) implements Request {
        public EchoRq {
            required(operationId, "operationId");
            required(calledAe, "calledAe");
            required(callingAe, "callingAe");
        }

        @Override public EchoRsp failed(int status, String error, Failure failure) {
            return new EchoRsp(operationId, status, error, failure);
        }
    }

    record EchoRsp(String operationId, int status, String error, Failure failure) implements Answer {
        public EchoRsp {
            required(operationId, "operationId");
        }
    }

    /** {@code compression}: how the payload was compressed before it was sealed (router A's route setting). */
    record StoreRq(String operationId, String calledAe, String callingAe, String sopClassUid, String sopInstanceUid,
                   String transferSyntaxUid, PayloadCodec compression) implements Request {
        public StoreRq {
            required(operationId, "operationId");
            required(calledAe, "calledAe");
            required(callingAe, "callingAe");
            required(sopClassUid, "sopClassUid");
            required(sopInstanceUid, "sopInstanceUid");
            required(transferSyntaxUid, "transferSyntaxUid");
            if (compression == null) throw new IllegalArgumentException("missing compression");
        }

        /** An uncompressed payload. */
        public StoreRq(String operationId, String calledAe, String callingAe, String sopClassUid, String sopInstanceUid,
                       String transferSyntaxUid) {
            this(operationId, calledAe, callingAe, sopClassUid, sopInstanceUid, transferSyntaxUid, PayloadCodec.NONE);
        }

        @Override public StoreRsp failed(int status, String error, Failure failure) {
            return new StoreRsp(operationId, status, error, failure);
        }
    }

    /**
     * {@code receivedAtMillis}, {@code storedAtMillis}: when the performing router began the request
     * and when its PACS answered (epoch milliseconds on that router's clock), for the requesting
     * router's per-study timeline; optional on the wire (null: not known, or an older router).
     */
    record StoreRsp(String operationId, int status, String error, Failure failure, Long receivedAtMillis, Long storedAtMillis)
            implements Answer {
        public StoreRsp {
            required(operationId, "operationId");
        }

        /** Without times. */
        public StoreRsp(String operationId, int status, String error, Failure failure) {
            this(operationId, status, error, failure, null, null);
        }
    }

    /**
     * STORE answers to several requests of the receiving router, sent together (answers that
     * became ready within a short linger); {@code operationId} names the batch itself. The
     * receiving router handles each answer as if it had come alone.
     */
    record StoreRspBatch(String operationId, List<StoreRsp> answers) implements LinkMessage {
        /** So that a batch of answers with long error comments still fits a notification (64 KiB at the Bridge). */
        public static final int MAX_ANSWERS = 256;

        public StoreRspBatch {
            required(operationId, "operationId");
            if (answers == null || answers.isEmpty()) throw new IllegalArgumentException("missing answers");
            if (answers.size() > MAX_ANSWERS) throw new IllegalArgumentException("more than " + MAX_ANSWERS + " answers in one batch");
            answers = List.copyOf(answers); // null elements refused here
        }
    }

    /**
     * Small C-STOREs to one called AE, travelling together (issue 10, bundles): the payload blob holds one
     * entry per listed operation, in this order, each its own {@link StoreRq} and the object's bytes
     * ({@link BundleEntries}); {@code operationId} names the bundle itself. The receiving router runs and
     * answers each entry as if it had come alone, and answers with a failure those it could not read.
     */
    record StoreBundle(String operationId, String calledAe, List<String> operations) implements LinkMessage {
        /** So that the frame, which lists every operation, fits a notification (64 KiB at the Bridge). */
        public static final int MAX_ENTRIES = 512;

        public StoreBundle {
            required(operationId, "operationId");
            required(calledAe, "calledAe");
            if (operations == null || operations.isEmpty()) throw new IllegalArgumentException("missing operations");
            if (operations.size() > MAX_ENTRIES) throw new IllegalArgumentException("more than " + MAX_ENTRIES + " operations in one bundle");
            operations = List.copyOf(operations); // null elements refused here
            for (String op : operations) required(op, "operation");
        }
    }

    /** {@code identifier}: the query as DICOM JSON. */
    record FindRq(String operationId, String calledAe, String callingAe, String sopClassUid, String identifier) implements Request {
        public FindRq {
            required(operationId, "operationId");
            required(calledAe, "calledAe");
            required(callingAe, "callingAe");
            required(sopClassUid, "sopClassUid");
            required(identifier, "identifier");
        }

        @Override public FindRsp failed(int status, String error, Failure failure) {
            return new FindRsp(operationId, status, null, error, failure);
        }
    }

    /** A pending answer carries one match ({@code identifier}, DICOM JSON); the final one none. */
    record FindRsp(String operationId, int status, String identifier, String error, Failure failure) implements Answer {
        public FindRsp {
            required(operationId, "operationId");
        }
    }

    record MoveRq(String operationId, String calledAe, String callingAe, String sopClassUid, String identifier) implements RetrieveRq {
        public MoveRq {
            required(operationId, "operationId");
            required(calledAe, "calledAe");
            required(callingAe, "callingAe");
            required(sopClassUid, "sopClassUid");
            required(identifier, "identifier");
        }

        @Override public MoveRsp answer(int status, int failed, List<String> failedUids, String error, Failure failure) {
            return new MoveRsp(operationId, status, failed, failedUids, error, failure);
        }
    }

    record MoveRsp(String operationId, int status, int failed, List<String> failedUids, String error, Failure failure) implements RetrieveRsp {
        public MoveRsp {
            required(operationId, "operationId");
            failedUids = RetrieveRsp.listed(failedUids);
        }
    }

    record GetRq(String operationId, String calledAe, String callingAe, String sopClassUid, String identifier) implements RetrieveRq {
        public GetRq {
            required(operationId, "operationId");
            required(calledAe, "calledAe");
            required(callingAe, "callingAe");
            required(sopClassUid, "sopClassUid");
            required(identifier, "identifier");
        }

        @Override public GetRsp answer(int status, int failed, List<String> failedUids, String error, Failure failure) {
            return new GetRsp(operationId, status, failed, failedUids, error, failure);
        }
    }

    record GetRsp(String operationId, int status, int failed, List<String> failedUids, String error, Failure failure) implements RetrieveRsp {
        public GetRsp {
            required(operationId, "operationId");
            failedUids = RetrieveRsp.listed(failedUids);
        }
    }

    /**
     * An instance retrieved for a C-MOVE/C-GET, on its way to the requesting router with the data
     * set as payload; {@code remaining}: sub-operations still to come after it, -1 when unknown;
     * {@code compression}: as for {@link StoreRq}, chosen by the performing router's setting for the requesting router.
     * Its sender awaits no answer.
     */
    record Instance(String operationId, String sopClassUid, String sopInstanceUid, String transferSyntaxUid, int remaining,
                    PayloadCodec compression) implements LinkMessage {
        public Instance {
            required(operationId, "operationId");
            required(sopClassUid, "sopClassUid");
            required(sopInstanceUid, "sopInstanceUid");
            required(transferSyntaxUid, "transferSyntaxUid");
            if (compression == null) throw new IllegalArgumentException("missing compression");
        }

        /** An uncompressed payload. */
        public Instance(String operationId, String sopClassUid, String sopInstanceUid, String transferSyntaxUid, int remaining) {
            this(operationId, sopClassUid, sopInstanceUid, transferSyntaxUid, remaining, PayloadCodec.NONE);
        }
    }

    /** The workstation cancelled the C-FIND/C-MOVE/C-GET {@code operationId} (PS3.7 §9.3.2.3 C-CANCEL). */
    record Cancel(String operationId) implements LinkMessage {
        public Cancel {
            required(operationId, "operationId");
        }
    }

    private static void required(String value, String name) {
        if (value == null || value.isEmpty()) throw new IllegalArgumentException("missing " + name);
    }
}
