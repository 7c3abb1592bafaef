package org.dicomrelay.router;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Failure classes of C-STORE statuses, PS3.4 Annex B.2.3 (Table B.2-1) and PS3.7 Annex C, and of router B's failure hint. */
class DeliveryOutcomeTest {

    @ParameterizedTest(name = "{0}H: {1}")
    @CsvSource({
            "0000, DELIVERED",  // Success
            "B000, DELIVERED",  // Warning: coercion of data elements (stored)
            "B007, DELIVERED",  // Warning: data set does not match SOP class (stored)
            "B006, DELIVERED",  // Warning: elements discarded (stored)
            "0001, DELIVERED",  // PS3.7 C.4 general warning
            "A700, TRANSIENT",  // Refused: out of resources
            "A7FF, TRANSIENT",  // Refused: out of resources (any A7xx)
            "0213, TRANSIENT",  // Resource limitation
            "0110, TRANSIENT",  // Processing failure: could not, not would not
            "0210, TRANSIENT",  // Duplicate invocation (a message ID clash)
            "FE00, TRANSIENT",  // Cancel
            "A900, PERMANENT",  // Error: data set does not match SOP class
            "A9FF, PERMANENT",
            "C000, PERMANENT",  // Error: cannot understand
            "C123, PERMANENT",
            "0122, PERMANENT",  // Refused: SOP class not supported
            "0124, PERMANENT",  // Refused: not authorized
            "0211, PERMANENT",  // Unrecognized operation
            "0212, PERMANENT",  // Mistyped argument
            "0117, PERMANENT",  // Invalid SOP instance
            "A800, PERMANENT",  // unassigned in C-STORE: never taken for success, never retried blindly
    })
    void storeStatuses(String hex, DeliveryOutcome expected) {
        assertThat(DeliveryOutcome.ofStoreStatus(Integer.parseInt(hex, 16))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}H with failure={1}: {2}")
    @CsvSource(nullValues = "null", value = {
            "A700, transient, TRANSIENT",   // router B: its PACS refused the connection
            "A700, permanent, PERMANENT",   // router B: its PACS rejected the association permanently
            "A900, transient, TRANSIENT",   // router B knows better than the status alone
            "0110, permanent, PERMANENT",
            "0000, permanent, DELIVERED",   // a success is a success
            "B000, transient, DELIVERED",
            "A900, null, PERMANENT",        // no hint (an older router B): the status decides
            "A700, null, TRANSIENT",
            "A700, something-else, TRANSIENT",
    })
    void answersOfRouterB(String hex, String hint, DeliveryOutcome expected) {
        assertThat(DeliveryOutcome.ofAnswer(Integer.parseInt(hex, 16), hint)).isEqualTo(expected);
    }
}
