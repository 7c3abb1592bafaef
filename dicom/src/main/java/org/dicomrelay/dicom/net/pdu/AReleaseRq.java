package org.dicomrelay.dicom.net.pdu;

/** A-RELEASE-RQ (PS3.8 §9.3.6). */
public record AReleaseRq() implements Pdu {}
