package org.jresnet.mnist.train;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jresnet.mnist.common.UserError;
import org.jresnet.mnist.format.AtomicFiles;

/**
 * The per-epoch history of a run, kept as {@code metrics.csv} (rewritten atomically each epoch).
 * {@code lr} is the rate the epoch ran with; {@code train_accuracy} is measured on the fly, on each
 * batch before its update (as the training loss), so it trails a re-evaluation of the end weights.
 * Files from before those two columns existed are read with them as NaN.
 */
public final class Metrics {
    public static final String FILE = "metrics.csv";
    public static final String HEADER = "epoch,train_loss,test_loss,test_accuracy,epoch_seconds,train_images_per_second,step,"
            + "lr,train_accuracy";

    public record Row(int epoch, double trainLoss, double testLoss, double testAccuracy, double epochSeconds,
                      double imagesPerSecond, long step, double lr, double trainAccuracy) {
        String csv() {
            return String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.3f,%.1f,%d,%s,%.6f", epoch, trainLoss, testLoss,
                    testAccuracy, epochSeconds, imagesPerSecond, step, (float) lr, trainAccuracy);
        }

        static Row parse(String line) {
            String[] f = line.split(",");
            return new Row(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                    Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]), Long.parseLong(f[6]),
                    f.length > 7 ? Double.parseDouble(f[7]) : Double.NaN,
                    f.length > 8 ? Double.parseDouble(f[8]) : Double.NaN);
        }
    }

    private final List<Row> rows = new ArrayList<>();

    public List<Row> rows() {
        return List.copyOf(rows);
    }

    public void add(Row row) {
        rows.add(row);
    }

    public void write(Path dir) throws IOException {
        StringBuilder b = new StringBuilder(HEADER).append('\n');
        for (Row r : rows) {
            b.append(r.csv()).append('\n');
        }
        AtomicFiles.write(dir.resolve(FILE), b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The rows of an earlier run for epochs {@code 1..upToEpoch} (resume keeps them). */
    public static Metrics read(Path dir, int upToEpoch) {
        Metrics m = new Metrics();
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) {
            return m;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank() || line.startsWith("epoch")) {
                    continue;
                }
                Row r = Row.parse(line.trim());
                if (r.epoch() <= upToEpoch) {
                    m.add(r);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new UserError("cannot read " + file + " to continue it: " + e.getMessage());
        }
        return m;
    }
}
