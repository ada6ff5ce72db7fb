package org.jresnet.core.optable;

import java.util.List;
import org.jresnet.core.Ops;
import org.jresnet.core.Tensor;
import org.jresnet.core.backend.Backend;

/**
 * The op table's error inputs: every op rejects bad input, on every backend, with a message naming
 * the op, the argument, and the expected and actual shapes.
 */
public final class ErrorTable {
    private ErrorTable() {
    }

    private static Tensor z(Backend b, int... shape) {
        return Tensor.zeros(b, shape);
    }

    private static ErrorCase bad(String op, String name, ErrorCase.Call call, String... fragments) {
        return new ErrorCase(op, name, IllegalArgumentException.class, call, fragments);
    }

    public static List<ErrorCase> all() {
        return List.of(
                bad("conv2d", "rank 3 input", b -> Ops.conv2d(z(b, 1, 28, 28), z(b, 16, 1, 5, 5), null, 1, 0),
                        "conv2d", "'input'", "(N, C, H, W)", "[1, 28, 28]"),
                bad("conv2d", "weight channels", b -> Ops.conv2d(z(b, 2, 3, 8, 8), z(b, 4, 2, 3, 3), null, 1, 0),
                        "conv2d", "'weight'", "(OC, 3, KH, KW)", "[4, 2, 3, 3]"),
                bad("conv2d", "bias length", b -> Ops.conv2d(z(b, 2, 3, 8, 8), z(b, 4, 3, 3, 3), z(b, 5), 1, 0),
                        "conv2d", "'bias'", "(4)", "[5]"),
                bad("conv2d", "kernel larger than the input", b -> Ops.conv2d(z(b, 1, 1, 4, 4), z(b, 1, 1, 5, 5), null, 1, 0),
                        "conv2d", "larger than the padded input"),
                bad("conv2d", "stride 0", b -> Ops.conv2d(z(b, 1, 1, 4, 4), z(b, 1, 1, 3, 3), null, 0, 0),
                        "conv2d", "'stride'"),
                bad("conv2d", "negative padding", b -> Ops.conv2d(z(b, 1, 1, 4, 4), z(b, 1, 1, 3, 3), null, 1, -1),
                        "conv2d", "'padding'"),
                bad("linear", "weight features", b -> Ops.linear(z(b, 64, 512), z(b, 10, 500), z(b, 10)),
                        "linear", "'weight'", "(OUT, 512)", "[10, 500]"),
                bad("linear", "rank 4 input", b -> Ops.linear(z(b, 64, 32, 4, 4), z(b, 10, 512), null),
                        "linear", "'input'", "(N, IN)", "[64, 32, 4, 4]"),
                bad("linear", "bias length", b -> Ops.linear(z(b, 64, 512), z(b, 10, 512), z(b, 9)),
                        "linear", "'bias'", "(10)", "[9]"),
                bad("add", "different shapes", b -> Ops.add(z(b, 2, 16, 12, 12), z(b, 2, 16, 12, 11)),
                        "add", "'b'", "[2, 16, 12, 12]", "[2, 16, 12, 11]"),
                bad("conv2dRelu", "weight channels", b -> Ops.conv2dRelu(z(b, 2, 3, 8, 8), z(b, 4, 2, 3, 3), null, 1, 0),
                        "conv2dRelu", "'weight'", "(OC, 3, KH, KW)", "[4, 2, 3, 3]"),
                bad("conv2dAddRelu", "skip of another shape",
                        b -> Ops.conv2dAddRelu(z(b, 2, 3, 8, 8), z(b, 4, 3, 3, 3), null, 1, 1, z(b, 2, 4, 6, 6)),
                        "conv2dAddRelu", "'skip'", "[2, 4, 8, 8]", "[2, 4, 6, 6]"),
                bad("conv2dAddRelu", "null skip", b -> Ops.conv2dAddRelu(z(b, 2, 3, 8, 8), z(b, 4, 3, 3, 3), null, 1, 1, null),
                        "conv2dAddRelu", "'skip'", "null"),
                bad("conv2dMaxPoolRelu", "pool larger than the convolution's output",
                        b -> Ops.conv2dMaxPoolRelu(z(b, 1, 1, 6, 6), z(b, 2, 1, 5, 5), null, 1, 0, 3),
                        "conv2dMaxPoolRelu", "'kernel'", "2x2"),
                bad("addRelu", "different shapes", b -> Ops.addRelu(z(b, 2, 16, 12, 12), z(b, 2, 16, 12, 11)),
                        "addRelu", "'b'", "[2, 16, 12, 12]", "[2, 16, 12, 11]"),
                bad("maxPool2dRelu", "rank 2 input", b -> Ops.maxPool2dRelu(z(b, 3, 3), 2),
                        "maxPool2dRelu", "'input'", "(N, C, H, W)", "[3, 3]"),
                bad("maxPool2d", "kernel larger than the input", b -> Ops.maxPool2d(z(b, 1, 1, 3, 3), 4),
                        "maxPool2d", "'kernel'"),
                bad("maxPool2d", "rank 2 input", b -> Ops.maxPool2d(z(b, 3, 3), 2),
                        "maxPool2d", "'input'", "(N, C, H, W)", "[3, 3]"),
                new ErrorCase("relu", "released input", IllegalStateException.class, b -> {
                    Tensor x = z(b, 1, 4);
                    x.release();
                    Ops.relu(x);
                }, "released"),
                bad("crossEntropy", "label past the classes",
                        b -> Ops.crossEntropy(z(b, 2, 10), Tensor.labels(b, 3, 10)), "crossEntropy", "'labels'", "10",
                        "[0, 9]"),
                bad("crossEntropy", "negative label", b -> Ops.crossEntropy(z(b, 2, 10), Tensor.labels(b, -1, 0)),
                        "crossEntropy", "'labels'", "-1"),
                bad("crossEntropy", "label count", b -> Ops.crossEntropy(z(b, 2, 10), Tensor.labels(b, 1, 2, 3)),
                        "crossEntropy", "'labels'", "(2)", "[3]"),
                bad("crossEntropy", "float labels", b -> Ops.crossEntropy(z(b, 2, 10), z(b, 2)),
                        "crossEntropy", "'labels'", "int32"),
                bad("batchNorm2d", "weight length",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 4), z(b, 3), z(b, 3), z(b, 3), true),
                        "batchNorm2d", "'weight'", "(3)", "[4]"),
                bad("batchNorm2d", "running variance length",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 3), z(b, 3), z(b, 3), z(b, 2), true),
                        "batchNorm2d", "'runningVar'", "(3)", "[2]"),
                bad("batchNorm2d", "rank 3 input",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 16), z(b, 3), z(b, 3), z(b, 3), z(b, 3), true),
                        "batchNorm2d", "'input'", "(N, C, H, W)", "[2, 3, 16]"),
                bad("batchNorm2d", "one value per channel in training",
                        b -> Ops.batchNorm2d(z(b, 1, 3, 1, 1), z(b, 3), z(b, 3), z(b, 3), z(b, 3), true),
                        "batchNorm2d", "more than one value per channel", "[1, 3, 1, 1]"),
                bad("batchNorm2d", "eval without running statistics",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 3), z(b, 3), null, null, false),
                        "batchNorm2d", "eval mode", "'runningMean'"),
                bad("batchNorm2d", "weight without bias",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 3), null, z(b, 3), z(b, 3), true),
                        "batchNorm2d", "'bias'", "null"),
                bad("batchNorm2d", "running mean that requires grad",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 3), z(b, 3), z(b, 3).requiresGrad(true), z(b, 3), true),
                        "batchNorm2d", "'runningMean'", "must not require grad"),
                bad("batchNorm2d", "momentum past 1",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 3), z(b, 3), z(b, 3), z(b, 3), true, 1.5f, 1e-5f),
                        "'momentum'"),
                bad("batchNorm2d", "eps 0",
                        b -> Ops.batchNorm2d(z(b, 2, 3, 4, 4), z(b, 3), z(b, 3), z(b, 3), z(b, 3), true, 0.1f, 0f),
                        "'eps'"),
                bad("globalAvgPool", "rank 2 input", b -> Ops.globalAvgPool(z(b, 2, 64)),
                        "globalAvgPool", "'input'", "(N, C, H, W)", "[2, 64]"),
                bad("zeroPadShortcut", "fewer output channels", b -> Ops.zeroPadShortcut(z(b, 2, 32, 8, 8), 16, 2),
                        "zeroPadShortcut", "'outChannels'", "32", "16"),
                bad("zeroPadShortcut", "stride 0", b -> Ops.zeroPadShortcut(z(b, 2, 16, 8, 8), 32, 0),
                        "zeroPadShortcut", "'stride'"));
    }
}
