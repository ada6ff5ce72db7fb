package org.jresnet.mnist.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jresnet.mnist.format.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** {@code training.png}: the loss curves and the test accuracy per epoch, drawn with XChart. */
public final class Plot {
    public static final String FILE = "training.png";

    private Plot() {
    }

    public static void write(Path dir, List<Metrics.Row> rows) throws IOException {
        if (rows.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        double[] epochs = rows.stream().mapToDouble(Metrics.Row::epoch).toArray();
        XYChart loss = new XYChartBuilder().width(640).height(420).title("Loss").xAxisTitle("epoch")
                .yAxisTitle("cross-entropy").build();
        loss.addSeries("train (mean over epoch)", epochs, rows.stream().mapToDouble(Metrics.Row::trainLoss).toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        loss.addSeries("test", epochs, rows.stream().mapToDouble(Metrics.Row::testLoss).toArray())
                .setMarker(SeriesMarkers.DIAMOND);
        XYChart acc = new XYChartBuilder().width(640).height(420).title("Test accuracy").xAxisTitle("epoch")
                .yAxisTitle("accuracy (%)").build();
        acc.addSeries("test accuracy", epochs, rows.stream().mapToDouble(r -> 100 * r.testAccuracy()).toArray())
                .setMarker(SeriesMarkers.CIRCLE);
        loss.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        loss.getStyler().setYAxisDecimalPattern("0.###");
        acc.getStyler().setLegendVisible(false);
        acc.getStyler().setYAxisDecimalPattern("0.00");
        for (XYChart c : List.of(loss, acc)) {
            c.getStyler().setXAxisDecimalPattern("0");
            c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        }
        Path tmp = AtomicFiles.tempBeside(dir.resolve(FILE), ".png");
        try {
            BitmapEncoder.saveBitmap(List.of(loss, acc), 1, 2, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.moveIntoPlace(tmp, dir.resolve(FILE));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
