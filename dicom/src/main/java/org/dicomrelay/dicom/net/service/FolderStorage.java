package org.dicomrelay.dicom.net.service;

import org.dicomrelay.dicom.data.Attributes;
import org.dicomrelay.dicom.data.TransferSyntax;
import org.dicomrelay.dicom.data.VR;
import org.dicomrelay.dicom.io.DicomOutputStream;
import org.dicomrelay.dicom.io.FileMetaInformation;
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
        this.folder = Files.createDirectories(folder);
    }

    @Override public int store(Association as, DimseServices.StoreRequest rq, InputStream data) throws IOException {
        String iuid = rq.sopInstanceUid();
        if (iuid == null || !iuid.matches("[0-9.]{1,64}")) return 0xA900; // not a UID: refuse rather than build a path from it
        Path target = folder.resolve(iuid + ".dcm");
        Path tmp = Files.createTempFile(folder, ".part-", ".tmp");
        try {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 256 * 1024)) {
                Attributes fmi = FileMetaInformation.create(rq.sopClassUid(), iuid, rq.transferSyntax().uid());
                fmi.setString(0x00020016, VR.AE, as.callingAeTitle());
                DicomOutputStream dout = new DicomOutputStream(out, TransferSyntax.EXPLICIT_VR_LITTLE_ENDIAN);
                dout.writeFileMetaInformation(fmi);
                dout.finish();
                byte[] buf = new byte[64 * 1024];
                int n;
                while ((n = data.read(buf)) > 0) out.write(buf, 0, n);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return 0x0000;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public Path folder() { return folder; }
}
