#!/usr/bin/env python3
"""Independent check of a model.safetensors written by mnist.jar, with numpy only (no torch).

Re-implements the forward pass of shared/reference/pytorch_seed.py's Net in numpy float32 and
prints the test accuracy, which must equal what `java -jar mnist.jar eval --model FILE` prints.
It checks the file layout, the PyTorch names and shapes, and the network's semantics (conv as
cross-correlation, NCHW flatten order) independently of the Java code.

  python3 mnist/scripts/numpy_eval.py --data ../shared/data/mnist --model runs/X/model.safetensors
"""
import argparse, gzip, json, os, struct
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

EXPECTED = {
    "conv1.weight": (16, 1, 5, 5), "conv1.bias": (16,), "conv2.weight": (32, 16, 5, 5), "conv2.bias": (32,),
    "rbloch1.conv1.weight": (16, 16, 3, 3), "rbloch1.conv1.bias": (16,),
    "rbloch1.conv2.weight": (16, 16, 3, 3), "rbloch1.conv2.bias": (16,),
    "rbloch2.conv1.weight": (32, 32, 3, 3), "rbloch2.conv1.bias": (32,),
    "rbloch2.conv2.weight": (32, 32, 3, 3), "rbloch2.conv2.bias": (32,),
    "fc.weight": (10, 512), "fc.bias": (10,),
}


def read_idx(path):
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        data = f.read()
    ndim = struct.unpack(">I", data[:4])[0] & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(d, stem):
    for name in (stem + ".gz", stem):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f"missing {stem}(.gz) in {d}")


def read_safetensors(path):
    blob = open(path, "rb").read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", (name, info["dtype"])
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(blob[8 + n + b:8 + n + e], dtype="<f4").reshape(info["shape"])
    return out


def conv2d(x, w, b, pad):
    # x (N,C,H,W), w (O,C,k,k) -> (N,O,H',W'), cross-correlation as torch.nn.functional.conv2d
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w.shape[-1]
    win = sliding_window_view(x, (k, k), axis=(2, 3))  # (N,C,H',W',k,k)
    n, c, h, wd = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * wd, c * k * k)
    y = cols @ w.reshape(w.shape[0], -1).T + b
    return y.reshape(n, h, wd, -1).transpose(0, 3, 1, 2)


def maxpool2(x):
    n, c, h, w = x.shape
    return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))


def relu(x):
    return np.maximum(x, 0)


def block(p, prefix, x):
    y = relu(conv2d(x, p[prefix + ".conv1.weight"], p[prefix + ".conv1.bias"], 1))
    y = conv2d(y, p[prefix + ".conv2.weight"], p[prefix + ".conv2.bias"], 1)
    return relu(x + y)


def forward(p, x):
    x = maxpool2(relu(conv2d(x, p["conv1.weight"], p["conv1.bias"], 0)))
    x = block(p, "rbloch1", x)
    x = maxpool2(relu(conv2d(x, p["conv2.weight"], p["conv2.bias"], 0)))
    x = block(p, "rbloch2", x)
    return x.reshape(x.shape[0], -1) @ p["fc.weight"].T + p["fc.bias"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    a = ap.parse_args()
    p = read_safetensors(a.model)
    got = {k: tuple(v.shape) for k, v in p.items()}
    if got != EXPECTED:
        raise SystemExit(f"names/shapes differ from the reference Net: {sorted(set(got.items()) ^ set(EXPECTED.items()))}")
    print(f"{len(p)} tensors, {sum(v.size for v in p.values())} parameters, names and shapes as in pytorch_seed.py")
    x = read_idx(find(a.data, "t10k-images-idx3-ubyte")).astype(np.float32) / np.float32(255.0)
    x = ((x - np.float32(0.1307)) / np.float32(0.3081))[:, None, :, :]
    y = read_idx(find(a.data, "t10k-labels-idx1-ubyte"))
    correct = 0
    for b in range(0, len(y), 1000):
        correct += int((forward(p, x[b:b + 1000]).argmax(1) == y[b:b + 1000]).sum())
    print(f"numpy test accuracy {100.0 * correct / len(y):.2f}% ({correct}/{len(y)})")


if __name__ == "__main__":
    main()
