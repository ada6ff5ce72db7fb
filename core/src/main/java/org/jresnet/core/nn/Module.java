package org.jresnet.core.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jresnet.core.Tensor;

/**
 * A layer or network with named parameters and submodules; names join with dots as in PyTorch's
 * {@code state_dict} ("rbloch1.conv1.weight"), so checkpoints load there unchanged.
 */
public abstract class Module {
    private final Map<String, Tensor> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();

    protected final Tensor registerParameter(String name, Tensor tensor) {
        checkName(name);
        parameters.put(name, tensor.requiresGrad(true));
        return tensor;
    }

    protected final <M extends Module> M registerModule(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".") || parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException("invalid or duplicate parameter/module name '" + name + "'");
        }
    }

    /** All parameters, depth first in registration order, with dotted names. */
    public final Map<String, Tensor> namedParameters() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    public final List<Tensor> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Total number of parameter elements. */
    public final long parameterCount() {
        long n = 0;
        for (Tensor t : namedParameters().values()) {
            n += t.numel();
        }
        return n;
    }

    private void collect(String prefix, Map<String, Tensor> out) {
        parameters.forEach((name, t) -> out.put(prefix + name, t));
        children.forEach((name, m) -> m.collect(prefix + name + ".", out));
    }
}
