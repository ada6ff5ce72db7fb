package org.jresnet.core.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Tensor;

/**
 * A layer or network with named parameters, buffers and submodules; names join with dots as in
 * PyTorch's {@code state_dict} ("layer1.0.conv1.weight"), so checkpoints load there unchanged.
 *
 * <p>Two kinds of state, as in PyTorch:
 * <ul>
 *   <li><b>Parameters</b> ({@link #registerParameter}) require grad and are what the optimiser
 *       updates: pass {@link #parameters()} to {@code Sgd}.</li>
 *   <li><b>Buffers</b> ({@link #registerBuffer}) never require grad and are changed by the layer
 *       itself (batch norm's {@code running_mean}, {@code running_var},
 *       {@code num_batches_tracked}); the optimiser must not see them.</li>
 * </ul>
 * A checkpoint must hold both: {@link #namedState()} is the {@code state_dict()} equivalent
 * (parameters and buffers, in PyTorch's order: each module's parameters, then its buffers, then
 * its children), {@link #namedParameters()} and {@link #namedBuffers()} the two halves. To restore
 * a checkpoint, copy values into the tensors {@code namedState()} returns
 * ({@link Tensor#copyFrom(float[])}); never replace them, layers keep references.
 *
 * <p>Mode: modules start in training mode; {@link #train()} and {@link #eval()} set the mode of
 * this module and all its descendants (batch norm normalises with batch statistics and updates its
 * buffers in training mode, and uses the running statistics in eval mode). Evaluation should also
 * run under {@code Grad.disabled()}; the two are independent, as in PyTorch.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    protected final Tensor registerParameter(String name, Tensor tensor) {
        checkName(name);
        parameters.put(name, tensor.requiresGrad(true));
        return tensor;
    }

    /** Registers state that is saved in checkpoints but not trained (it never requires grad). */
    protected final Tensor registerBuffer(String name, Tensor tensor) {
        checkName(name);
        if (tensor.requiresGrad()) {
            throw new IllegalArgumentException("buffer '" + name + "' must not require grad (buffers are not trained)");
        }
        buffers.put(name, tensor);
        return tensor;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        module.train(training);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || parameters.containsKey(name) || buffers.containsKey(name)
                || children.containsKey(name)) {
            throw new IllegalArgumentException("invalid or duplicate parameter/buffer/module name '" + name + "'");
        }
    }

    /** All parameters, depth first in registration order, with dotted names. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, false);
        return out;
    }

    /** All buffers (running statistics, counters), depth first in registration order, with dotted names. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, false, true);
        return out;
    }

    /**
     * Everything a checkpoint holds, as PyTorch's {@code state_dict()}: parameters and buffers with
     * dotted names, each module's parameters first, then its buffers, then its children.
     */
    public final Map<String, Tensor> namedState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out, true, true);
        return out;
    }

    /** The parameters only (what the optimiser updates). */
    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of parameter elements (buffers are not counted, as in PyTorch's usual count). */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.numel();
        }
        return n;
    }

    /** Sets training mode ({@code true}) or eval mode on this module and every descendant; returns this. */
    public Module train(boolean mode) {
        training = mode;
        for (Module m : children.values()) {
            m.train(mode);
        }
        return this;
    }

    /** Training mode for this module and its descendants; returns this. */
    public final Module train() {
        return train(true);
    }

    /** Eval mode for this module and its descendants; returns this. */
    public final Module eval() {
        return train(false);
    }

    public final boolean isTraining() {
        return training;
    }

    private void collect(String prefix, Map<String, Tensor> out, boolean params, boolean bufs) {
        if (params) {
            parameters.forEach((name, t) -> out.put(prefix + name, t));
        }
        if (bufs) {
            buffers.forEach((name, t) -> out.put(prefix + name, t));
        }
        children.forEach((name, m) -> m.collect(prefix + name + ".", out, params, bufs));
    }
}
