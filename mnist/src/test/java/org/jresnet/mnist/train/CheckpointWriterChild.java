package org.jresnet.mnist.train;

import java.nio.file.Path;
import org.jresnet.core.Rng;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Backends;
import org.jresnet.core.optim.Sgd;
import org.jresnet.mnist.model.SeedNet;

/**
 * Child process of {@link KillDuringSaveTest}: writes checkpoint version 1, 2, 3, ... to the file
 * in args[0] as fast as it can, version v holding the weights of {@code SeedNet(new Rng(v))}, until
 * it is killed. Prints "writing v" before and "wrote v" after each write.
 */
public final class CheckpointWriterChild {
    private CheckpointWriterChild() {
    }

    static Checkpoint version(Backend be, long v) {
        SeedNet net = new SeedNet(be, new Rng(v));
        Sgd sgd = new Sgd(net.parameters(), 0.01f, 0.5f);
        return Checkpoint.capture(TrainConfig.DEFAULTS, 0, (int) v, v, v, 0, 0, net, sgd);
    }

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long start = Long.parseLong(args[1]);
        Backend be = Backends.create("reference");
        for (long v = start; ; v++) {
            Checkpoint c = version(be, v);
            System.out.println("writing " + v);
            c.write(file);
            System.out.println("wrote " + v);
        }
    }
}
