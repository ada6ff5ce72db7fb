package org.jresnet.mnist.data;

import java.nio.file.Path;

/** Where the data set lives: {@code --data}, else {@code $MNIST_DATA}, else {@code ./data/mnist}. */
public final class DataDir {
    public static final String ENV = "MNIST_DATA";
    public static final Path DEFAULT = Path.of("data", "mnist");

    private DataDir() {
    }

    public static Path resolve(Path option, java.io.PrintStream out) {
        Path dir = option;
        if (dir == null) {
            String env = System.getenv(ENV);
            dir = env == null || env.isBlank() ? DEFAULT : Path.of(env);
        }
        if (!Mnist.present(dir)) {
            Downloader.standard().fetchMissing(dir, out);
        }
        return dir;
    }
}
