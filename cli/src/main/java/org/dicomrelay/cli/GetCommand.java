package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.FolderStorage;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** C-GET, like getscu: the instances arrive on our own association and are written to a folder. */
@Command(name = "get", description = "Retrieve with C-GET into a folder.")
public final class GetCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ConnectionOptions conn;
    @Mixin QueryKeys keys;

    @Option(names = "--directory", required = true, paramLabel = "DIR", description = "where received files are written")
    Path directory;

    @Override public Integer call() {
        try (QueryRetrieveScu scu = QueryRetrieveScu.open(conn.peer.host(), conn.peer.port(), conn.peer.aeTitle(), conn.callingAe,
                keys.model.model, QueryRetrieveScu.defaultReceive(), new FolderStorage(directory), conn.options())) {
            PendingRequest p = scu.get(keys.build(List.of(), false));
            return RetrieveReport.follow(spec.commandLine().getOut(), spec.commandLine().getErr(), p, 0x8010, "C-GET");
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("C-GET " + conn.peer + " failed: " + e.getMessage());
            return 2;
        }
    }
}
