package org.jresnet.core.optable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jresnet.core.backend.Backend;
import org.jresnet.core.backend.Storage;
import org.jresnet.core.optable.KernelCase.Tol;
import org.jresnet.core.reference.ReferenceBackend;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the op table on one backend: every kernel sample ({@link OpTable}) against the reference
 * backend, forward and backward, and every error input ({@link ErrorTable}). Each backend's test
 * module subclasses this with its backend; the cases themselves are never copied.
 */
public abstract class AbstractOpTableTest {
    private static final ReferenceBackend REFERENCE = new ReferenceBackend();

    /** The backend under test. */
    protected abstract Backend backend();

    /** Whether to run a sample; a slow backend (an emulator) leaves the largest to the real device. */
    protected boolean runs(KernelCase c) {
        return true;
    }

    /**
     * The tolerance of an output given the reference's values of it; the table's by default. A
     * backend whose kernels sum in another order than the table assumes says so here, per kernel.
     */
    protected Tol tolerance(KernelCase c, float[] reference) {
        return c.tol();
    }

    static List<KernelCase> kernelCases() {
        return OpTable.all();
    }

    static List<ErrorCase> errorCases() {
        return ErrorTable.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernelCases")
    void matchesTheReference(KernelCase c) {
        Assumptions.assumeTrue(runs(c), "left to a faster backend: " + c.work() + " units of work");
        List<float[]> expected = run(REFERENCE, c);
        List<float[]> actual = run(backend(), c);
        int floatInputs = (int) Arrays.stream(c.inputs()).filter(float[].class::isInstance).count();
        for (int i = 0; i < expected.size(); i++) {
            boolean input = i < floatInputs;
            // an input must come back as it went in, unless the kernel updates it in place: those match like outputs
            Tol tol = input && c.outputs().length > 0 ? Tol.EXACT : tolerance(c, expected.get(i));
            String what = backend().name() + " " + c.name() + (input ? " input " + i : " output " + (i - floatInputs));
            assertClose(what, expected.get(i), actual.get(i), tol);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errorCases")
    void rejectsTheErrorInput(ErrorCase c) {
        Throwable e = assertThrows(c.type(), () -> c.call().run(backend()), c::toString);
        for (String f : c.fragments()) {
            assertTrue(e.getMessage().contains(f), () -> c.op() + ": message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    /** Uploads the inputs, NaN-fills the outputs, calls, and downloads every float buffer: inputs, then outputs. */
    static List<float[]> run(Backend b, KernelCase c) {
        Object[] inputs = c.inputs();
        Storage[] in = new Storage[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = inputs[i] instanceof int[] ints ? b.uploadInts(ints) : b.upload((float[]) inputs[i]);
        }
        Storage[] out = new Storage[c.outputs().length];
        for (int i = 0; i < out.length; i++) {
            float[] nan = new float[Math.toIntExact(c.outputs()[i])];
            Arrays.fill(nan, Float.NaN);
            out[i] = b.upload(nan);
        }
        c.call().run(b, in, out);
        List<float[]> result = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] instanceof float[] f) {
                result.add(download(b, in[i], f.length));
            }
        }
        for (Storage s : out) {
            result.add(download(b, s, Math.toIntExact(s.size())));
        }
        for (Storage s : in) {
            s.release();
        }
        for (Storage s : out) {
            s.release();
        }
        return result;
    }

    private static float[] download(Backend b, Storage s, int n) {
        float[] a = new float[n];
        b.download(s, a);
        return a;
    }

    /**
     * Element i passes when |got - ref| <= atol + rtol*|ref|; NaN matches NaN and infinities must be
     * equal. A failure names the first mismatches.
     */
    static void assertClose(String what, float[] ref, float[] got, Tol tol) {
        assertEquals(ref.length, got.length, what + ": length");
        StringBuilder first = new StringBuilder();
        int bad = 0;
        double worst = 0;
        for (int i = 0; i < ref.length; i++) {
            float e = ref[i];
            float a = got[i];
            boolean ok;
            if (!Float.isFinite(e) || !Float.isFinite(a)) {
                ok = Float.compare(e, a) == 0 || Float.isNaN(e) && Float.isNaN(a);
            } else {
                double diff = Math.abs((double) a - e);
                ok = diff <= tol.atol() + tol.rtol() * Math.abs(e);
                worst = Math.max(worst, diff);
            }
            if (!ok) {
                if (bad < 5) {
                    first.append(String.format("%n  [%d] got %.8g expected %.8g", i, a, e));
                }
                bad++;
            }
        }
        if (bad > 0) {
            fail(what + ": " + bad + " of " + ref.length + " elements differ beyond " + tol + " (largest finite diff "
                    + worst + "); first mismatches:" + first);
        }
    }
}
