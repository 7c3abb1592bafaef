package org.dicomrelay.router.link;

/** Requests with placeholder AE titles and UIDs, for tests of the link where only the type and the operation matter. */
public final class TestMessages {
    static final String CT = "1.2.840.10008.5.1.4.1.1.2";
    static final String STUDY_ROOT_FIND = "1.2.840.10008.5.1.4.1.2.2.1";
    static final String STUDY_ROOT_MOVE = "1.2.840.10008.5.1.4.1.2.2.2";
    static final String IDENTIFIER = "{}";

    private TestMessages() {}

    public static LinkMessage.EchoRq echo(String op) {
        return new LinkMessage.EchoRq(op, "PACS", "WS");
    }

    public static LinkMessage.StoreRq store(String op) {
        return new LinkMessage.StoreRq(op, "PACS", "MODALITY", CT, "1.2.3." + Math.abs(op.hashCode()), "1.2.840.10008.1.2.1");
    }

    public static LinkMessage.FindRq find(String op) {
        return new LinkMessage.FindRq(op, "PACS", "WS", STUDY_ROOT_FIND, IDENTIFIER);
    }

    public static LinkMessage.MoveRq move(String op) {
        return new LinkMessage.MoveRq(op, "PACS", "WS", STUDY_ROOT_MOVE, IDENTIFIER);
    }
}
