package org.dicomrelay.relay.bridge.api;

import java.util.List;

/** The answer to a batched acknowledgement: the IDs that deleted nothing (gone, or delivered again since). */
public record AckAnswer(List<String> notAcknowledged) {}
