/**
 * The JSON bodies of the router-facing Bridge API as records, shared by the Bridge (which reads
 * requests and writes answers) and {@link org.dicomrelay.relay.bridge.BridgeClient} (the reverse),
 * so each shape is defined once. The records only carry: the Bridge validates what it reads and
 * answers 400 naming the field. Field names and types are the wire format routers of earlier
 * versions speak ({@code ApiRecordsJsonTest} pins them); binary values are base64 strings.
 */
package org.dicomrelay.relay.bridge.api;
