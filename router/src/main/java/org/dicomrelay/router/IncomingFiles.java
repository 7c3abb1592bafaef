package org.dicomrelay.router;

import org.dicomrelay.dicom.io.OwnerOnly;
import org.dicomrelay.dicom.net.FailureText;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The temporary copies of objects in transit through this router, in its state folder: retrieved
 * instances on their way to a workstation ({@code instance-*.dcm}). Each is deleted when its
 * operation ends; those a crash left behind are deleted at the next start, when no operation can
 * be using them, as are the {@code incoming-*.dcm} copies of relayed C-STOREs that versions
 * before issue 10 made (objects now stream into the PACS: {@link RemoteExecutor}).
 */
final class IncomingFiles {
    private static final System.Logger LOG = System.getLogger(IncomingFiles.class.getName());
    /** Left by an earlier version only: swept at start. */
    static final String INCOMING = "incoming-";
    static final String INSTANCE = "instance-";
    static final String SUFFIX = ".dcm";

    private IncomingFiles() {}

    /** A new temporary file for a retrieved instance on its way to a workstation (0600). */
    static Path createInstance(Path state) throws IOException {
        return OwnerOnly.createTempFile(state, INSTANCE, SUFFIX);
    }

    /**
     * Copies {@code payload} into a file made by this class, keeping its 0600 mode
     * ({@code Files.copy(in, path, REPLACE_EXISTING)} would recreate it with the umask's mode).
     */
    static void fill(Path file, InputStream payload) throws IOException {
        try (OutputStream out = OwnerOnly.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            org.dicomrelay.relay.io.Copy.of(payload, out);
        }
    }

    /** Deletes a temporary file; a failure is logged (with its cause), never thrown over the operation's own outcome. */
    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete the temporary file " + file + ": " + FailureText.of(e));
        }
    }

    /** Deletes the temporary files a previous run left; call at start, before any operation runs. Returns how many. */
    static int sweep(Path state) throws IOException {
        int n = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(state, f -> isTemporary(f.getFileName().toString()))) {
            for (Path f : files) {
                delete(f);
                n++;
            }
        }
        if (n > 0) LOG.log(System.Logger.Level.INFO, "deleted " + n + " temporary object file(s) left in " + state + " by an earlier run");
        return n;
    }

    static boolean isTemporary(String name) {
        return (name.startsWith(INCOMING) || name.startsWith(INSTANCE)) && name.endsWith(SUFFIX);
    }
}
