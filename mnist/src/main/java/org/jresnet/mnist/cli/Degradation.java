package org.jresnet.mnist.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jresnet.core.backend.Backend;
import org.jresnet.mnist.data.Mnist;
import org.jresnet.mnist.format.AtomicFiles;
import org.jresnet.mnist.model.ModelSpec;
import org.jresnet.mnist.train.Metrics;
import org.jresnet.mnist.train.TrainConfig;
import org.jresnet.mnist.train.Trainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The degradation experiment of He et al. 2015 (figure 4) on MNIST: plain-N and resnet-N trained
 * with identical data, order, initialisation seed and hyper-parameters for each depth N; the
 * training error per epoch (on the fly: the share of each epoch's training images misclassified by
 * the network as it was when it saw them) and the test error after each epoch.
 */
public final class Degradation {
    public static final String CSV = "degradation.csv";
    public static final String PNG = "degradation.png";
    public static final String CSV_HEADER = "model,depth,epoch,train_error,test_error,train_loss,epoch_seconds";
    static final String DEFAULT_DEPTHS = "8,20,56";
    static final int DEFAULT_EPOCHS = 5;
    static final int DEFAULT_TRAIN_LIMIT = 10000;
    static final int DEFAULT_TEST_LIMIT = 2000;
    static final float DEFAULT_LR = 0.05f;

    public record Point(String family, int depth, int epoch, double trainError, double testError, double trainLoss,
                        double epochSeconds) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%d,%d,%.6f,%.6f,%.6f,%.3f", family, depth, epoch, trainError,
                    testError, trainLoss, epochSeconds);
        }
    }

    public record Result(List<Point> points, String verdict) {
    }

    private Degradation() {
    }

    /** Trains plain-d then resnet-d for each depth d, writing each run under {@code out/<model>} and the CSV/PNG after each. */
    public static Result run(Backend backend, Mnist train, Mnist test, TrainConfig base, ModelSpec.Shortcut shortcut,
                             List<Integer> depths, Path out, PrintStream log, double logEvery) throws IOException {
        Files.createDirectories(out);
        List<Point> points = new ArrayList<>();
        for (int depth : depths) {
            for (ModelSpec.Family family : List.of(ModelSpec.Family.PLAIN, ModelSpec.Family.RESNET)) {
                ModelSpec spec = new ModelSpec(family, depth,
                        family == ModelSpec.Family.PLAIN ? ModelSpec.Shortcut.PAD : shortcut);
                log.println("== " + spec.describe());
                Trainer.Options opt = new Trainer.Options(out.resolve(spec.name()), null, 0, 0, false, logEvery, false);
                Trainer.Result r = new Trainer(backend, log).train(base.withModel(spec), train, test, opt);
                for (Metrics.Row row : r.metrics().rows()) {
                    points.add(new Point(family == ModelSpec.Family.PLAIN ? "plain" : "resnet", depth, row.epoch(),
                            1 - row.trainAccuracy(), 1 - row.testAccuracy(), row.trainLoss(), row.epochSeconds()));
                }
                writeCsv(out.resolve(CSV), points);
                plot(out.resolve(PNG), points, base, train.size());
            }
        }
        return new Result(points, verdict(points, depths));
    }

    static void writeCsv(Path file, List<Point> points) throws IOException {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        for (Point p : points) {
            b.append(p.csv()).append('\n');
        }
        AtomicFiles.write(file, b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The last epoch's training error of one network, NaN when it has not run. */
    static double finalTrainError(List<Point> points, String family, int depth) {
        double e = Double.NaN;
        for (Point p : points) {
            if (p.family().equals(family) && p.depth() == depth) {
                e = p.trainError();
            }
        }
        return e;
    }

    /**
     * One line: does the deepest plain net end with a higher training error than the shallowest
     * (degradation), and does the deepest residual net end no higher than the shallowest residual
     * one and below the deepest plain one (residual learning avoids it)? Judged on the last epoch's
     * training error.
     */
    public static String verdict(List<Point> points, List<Integer> depths) {
        int shallow = depths.stream().mapToInt(Integer::intValue).min().orElseThrow();
        int deep = depths.stream().mapToInt(Integer::intValue).max().orElseThrow();
        if (shallow == deep) {
            return "verdict: only one depth (" + deep + "); pass at least two in --depths to compare";
        }
        double ps = finalTrainError(points, "plain", shallow);
        double pd = finalTrainError(points, "plain", deep);
        double rs = finalTrainError(points, "resnet", shallow);
        double rd = finalTrainError(points, "resnet", deep);
        boolean degrades = pd > ps;
        boolean avoided = rd <= rs && rd < pd;
        return String.format(Locale.ROOT, "verdict (training error after the last epoch): the deeper plain net %s"
                        + " (plain-%d %.2f%% vs plain-%d %.2f%%); the residual nets %s (resnet-%d %.2f%% vs resnet-%d"
                        + " %.2f%%, plain-%d %.2f%%)",
                degrades ? "trains worse: degradation" : "does not train worse: no degradation at this setting", deep,
                100 * pd, shallow, 100 * ps,
                avoided ? "avoid it: the deeper one trains at least as well and better than the plain one"
                        : rd > rs ? "do not avoid it: the deeper one trains worse" : "are not better than the plain net",
                deep, 100 * rd, shallow, 100 * rs, deep, 100 * pd);
    }

    private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
        new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    /** Training error (left) and test error (right) per epoch: plain dashed, residual solid, one colour per depth. */
    static void plot(Path file, List<Point> points, TrainConfig cfg, int trainImages) throws IOException {
        if (points.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        String setting = String.format(Locale.ROOT, "%d training images, batch %d, lr %s, momentum %s, wd %s",
                trainImages, cfg.batchSize(), cfg.lr(), cfg.momentum(), cfg.weightDecay());
        XYChart trainChart = new XYChartBuilder().width(640).height(460).title("Training error (" + setting + ")")
                .xAxisTitle("epoch").yAxisTitle("training error (%)").build();
        XYChart testChart = new XYChartBuilder().width(640).height(460).title("Test error")
                .xAxisTitle("epoch").yAxisTitle("test error (%)").build();
        List<Integer> depths = points.stream().map(Point::depth).distinct().sorted().toList();
        BasicStroke dashed = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 6f},
                0f);
        BasicStroke solid = new BasicStroke(2.5f);
        for (int i = 0; i < depths.size(); i++) {
            int depth = depths.get(i);
            for (String family : List.of("plain", "resnet")) {
                List<Point> ps = points.stream().filter(p -> p.family().equals(family) && p.depth() == depth).toList();
                if (ps.isEmpty()) {
                    continue;
                }
                double[] x = ps.stream().mapToDouble(Point::epoch).toArray();
                for (XYChart c : List.of(trainChart, testChart)) {
                    double[] y = ps.stream().mapToDouble(p -> 100 * (c == trainChart ? p.trainError() : p.testError()))
                            .toArray();
                    XYSeries s = c.addSeries(family + "-" + depth, x, y);
                    s.setLineColor(COLORS[i % COLORS.length]);
                    s.setMarkerColor(COLORS[i % COLORS.length]);
                    s.setLineStyle(family.equals("plain") ? dashed : solid);
                    s.setMarker(family.equals("plain") ? SeriesMarkers.NONE : SeriesMarkers.CIRCLE);
                }
            }
        }
        for (XYChart c : List.of(trainChart, testChart)) {
            c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
            c.getStyler().setXAxisDecimalPattern("0");
            c.getStyler().setYAxisDecimalPattern("0.0");
            c.getStyler().setChartBackgroundColor(Color.WHITE);
            c.getStyler().setChartTitleFont(c.getStyler().getChartTitleFont().deriveFont(12f));
        }
        Path tmp = AtomicFiles.tempBeside(file, ".png");
        try {
            BitmapEncoder.saveBitmap(List.of(trainChart, testChart), 1, 2, tmp.toString(),
                    BitmapEncoder.BitmapFormat.PNG);
            AtomicFiles.moveIntoPlace(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
