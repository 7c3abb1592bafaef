package org.dicomrelay.cli;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher keeps no AppCDS archive when the training run fails: it must succeed, or client commands start slower unnoticed. */
class CdsTrainingTest {
    @Test void everyTrainedCommandSucceedsAgainstTheInProcessScp() throws Exception {
        assertThat(CdsTraining.train()).isZero();
    }
}
