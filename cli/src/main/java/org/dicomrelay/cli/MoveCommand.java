package org.dicomrelay.cli;

import org.dicomrelay.dicom.net.DimseResponse;
import org.dicomrelay.dicom.net.PendingRequest;
import org.dicomrelay.dicom.net.service.QueryRetrieveScu;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;

/** C-MOVE, like movescu: the peer sends the matching instances to another AE. */
@Command(name = "move", description = "Retrieve with C-MOVE to a destination AE.")
public final class MoveCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin ConnectionOptions conn;
    @Mixin QueryKeys keys;

    @Option(names = "--dest", required = true, paramLabel = "AE", description = "move destination AE title")
    String destination;

    @Override public Integer call() {
        try (QueryRetrieveScu scu = QueryRetrieveScu.open(conn.peer.host(), conn.peer.port(), conn.peer.aeTitle(), conn.callingAe,
                keys.model.model, List.of(), null, conn.options())) {
            PendingRequest p = scu.move(keys.build(List.of(), false), destination);
            return RetrieveReport.follow(spec.commandLine().getOut(), spec.commandLine().getErr(), p, 0x8021, "C-MOVE");
        } catch (IOException | IllegalArgumentException e) {
            spec.commandLine().getErr().println("C-MOVE " + conn.peer + " failed: " + e.getMessage());
            return 2;
        }
    }
}
