package org.jresnet.core;

/** Element types a tensor can hold: float32 for values, int32 for class labels. */
public enum DType {
    FLOAT32,
    INT32
}
