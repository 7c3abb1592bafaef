package org.dicomrelay.router;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What a {@link SpoolRequest} did: how many entries it selected and changed, in words for the operator. */
public record SpoolAnswer(@JsonProperty("matched") int matched, @JsonProperty("changed") int changed, @JsonProperty("message") String message) {}
