package org.jresnet.mnist.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jresnet.core.backend.Backends;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.testing.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * training.png is drawn when training ends, however it ends (here: all epochs, and a stop within
 * the second epoch), though short epochs no longer redraw it each time; never with --no-plot.
 */
class PlotScheduleTest {
    @TempDir
    Path tmp;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    @Test
    void thePlotIsDrawnWhenTrainingEnds() throws Exception {
        Path data = TestData.writeDataSet(tmp.resolve("data"), 64, 16, false);
        Mnist train = Mnist.load(data, true, 0);
        Mnist test = Mnist.load(data, false, 0);
        TrainConfig cfg = new TrainConfig(2, 16, 0.05f, 0.5f, 1, 0, 0);

        Path whole = tmp.resolve("whole");
        new Trainer(Backends.create("reference"), QUIET).train(cfg, train, test,
                new Trainer.Options(whole, null, 0, 0, false, 1000, true));
        BufferedImage png = ImageIO.read(whole.resolve(Plot.FILE).toFile());
        assertNotNull(png);
        assertTrue(png.getWidth() >= 640, "plot width " + png.getWidth());

        // stopped after step 6: epoch 1 (4 steps) ended, epoch 2 did not
        Path stopped = tmp.resolve("stopped");
        Trainer.Result r = new Trainer(Backends.create("reference"), QUIET).train(cfg, train, test,
                new Trainer.Options(stopped, null, 0, 6, false, 1000, true));
        assertTrue(r.stoppedEarly());
        assertEquals(1, r.metrics().rows().size());
        assertTrue(Files.exists(stopped.resolve(Plot.FILE)), "plot of the stopped run");

        Path none = tmp.resolve("none");
        new Trainer(Backends.create("reference"), QUIET).train(cfg, train, test,
                new Trainer.Options(none, null, 0, 0, false, 1000, false));
        assertFalse(Files.exists(none.resolve(Plot.FILE)), "--no-plot draws nothing");
    }
}
