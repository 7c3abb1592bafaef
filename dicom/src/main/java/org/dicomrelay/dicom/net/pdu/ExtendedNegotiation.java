package org.dicomrelay.dicom.net.pdu;

/** SOP class extended negotiation sub-item (PS3.7 §D.3.3.5): opaque service-class information, kept and passed on. */
public record ExtendedNegotiation(String sopClassUid, byte[] info) {}
