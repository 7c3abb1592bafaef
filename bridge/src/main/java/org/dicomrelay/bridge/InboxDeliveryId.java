package org.dicomrelay.bridge;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One delivery of an inbox notification, {@code <notification>-<delivery>} (a receipt handle, see
 * {@link BridgeStore#claim}); a bare notification number (older clients) names whichever delivery.
 *
 * @param delivery null: any delivery
 */
record InboxDeliveryId(long notification, Integer delivery) {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,18})(?:-([0-9]{1,9}))?");

    /** Empty for anything that is not such an ID (nothing in the inbox has it). */
    static Optional<InboxDeliveryId> parse(String id) {
        if (id == null) return Optional.empty();
        Matcher m = FORM.matcher(id);
        if (!m.matches()) return Optional.empty();
        return Optional.of(new InboxDeliveryId(Long.parseLong(m.group(1)), m.group(2) == null ? null : Integer.valueOf(m.group(2))));
    }

    @Override public String toString() {
        return delivery == null ? Long.toString(notification) : notification + "-" + delivery;
    }
}
