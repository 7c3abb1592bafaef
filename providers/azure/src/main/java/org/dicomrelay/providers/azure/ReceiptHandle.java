package org.dicomrelay.providers.azure;

/** A delivery of an Azure Queue message as one string: the message ID and that delivery's pop receipt. */
record ReceiptHandle(String messageId, String popReceipt) {
    private static final char SEPARATOR = ' '; // in neither: IDs are GUIDs, pop receipts base64

    static String of(String messageId, String popReceipt) {
        return messageId + SEPARATOR + popReceipt;
    }

    static ReceiptHandle parse(String id) {
        int at = id.indexOf(SEPARATOR);
        if (at <= 0 || at == id.length() - 1) throw new IllegalArgumentException("not an Azure Queue receipt handle: a notification of another inbox");
        return new ReceiptHandle(id.substring(0, at), id.substring(at + 1));
    }
}
