package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.Association;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A C-STORE SCP that writes each received data set, byte for byte as it arrived, after PS3.10
 * meta information, into a folder. A partial transfer never leaves a file that looks complete:
 * bytes go to a temporary file that is renamed only once the whole data set has arrived.
 */
public final class FolderStorage implements DimseServices.StoreHandler {
    private final Path folder;

    public FolderStorage(Path folder) throws IOException {
        this.folder = OwnerOnly.newFolders(folder);
    }

    @Override public int store(Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        String iuid = rq.sopInstanceUid();
        if (!isUid(iuid)) return 0xA900; // not a UID: refuse rather than build a path from it
        Path tmp = receive(folder, as, rq, data);
        try {
            moveInto(tmp, folder.resolve(iuid + ".dcm"));
            return 0x0000;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A UID that is safe as a file name: digits and dots (PS3.5 §9.1). */
    static boolean isUid(String uid) {
        return uid != null && uid.matches("[0-9.]{1,64}") && !uid.startsWith(".");
    }

    /**
     * Writes meta information and the data set, byte for byte as it arrives, to a new temporary
     * file in {@code dir} (named ".part-…", which folder scans skip); the caller moves or deletes it.
     */
    static Path receive(Path dir, Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        Path tmp = OwnerOnly.createTempFile(dir, ".part-", ".tmp");
        // Small PDVs gather in the buffer; large ones (the 16-256 KiB that peers send) go to the file straight from the PDU.
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 64 * 1024)) {
            Attributes fmi = FileMetaInformation.create(rq.sopClassUid(), rq.sopInstanceUid(), rq.transferSyntax().uid());
            fmi.setString(0x00020016, VR.AE, as.callingAeTitle());
            DicomOutputStream dout = new DicomOutputStream(out, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
            dout.writeFileMetaInformation(fmi);
            dout.finish();
            data.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        return tmp;
    }

    /** Renames a completely written file to its final name, atomically where the file system can. */
    static void moveInto(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    public Path folder() { return folder; }
}
