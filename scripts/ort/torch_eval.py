# PyTorch's warm evaluation of the 10k test set (scripts/compare-ort.sh): the reference network of
# shared/reference/pytorch_seed.py with our safetensors loaded, eager mode, no_grad, 2 threads.
# usage: torch_eval.py REFERENCE.py MODEL.safetensors DATA_DIR BATCH ROUNDS [WARMUP]  (WARMUP untimed rounds first, default 2)
import sys, time, importlib.util, statistics
import numpy as np, torch

ref_path, model_path, data, batch, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
warmup = int(sys.argv[6]) if len(sys.argv) > 6 else 2
spec = importlib.util.spec_from_file_location("ref", ref_path)
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
torch.set_num_threads(2)
net = ref.Net()
net.load_state_dict({k: torch.as_tensor(v) for k, v in ref.read_safetensors(model_path).items()}, strict=True)
net.eval()
x = (torch.from_numpy(ref.read_idx(ref.find(data, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0).unsqueeze(1)
     - 0.1307) / 0.3081
y = torch.from_numpy(ref.read_idx(ref.find(data, "t10k-labels-idx1-ubyte")).astype(np.int64))
rates = []
with torch.no_grad():
    for r in range(rounds):
        t0 = time.perf_counter()
        correct = 0
        for b in range(0, x.shape[0], batch):
            correct += (net(x[b:b + batch]).argmax(1) == y[b:b + batch]).sum().item()
        rate = x.shape[0] / (time.perf_counter() - t0)
        print(f"round {r:2d}  PyTorch {rate:8.0f} img/s ({100.0 * correct / x.shape[0]:.2f}%)")
        if r >= warmup:
            rates.append(rate)
print(f"median of rounds {warmup}-{rounds - 1}: PyTorch {statistics.median(rates):.0f} img/s (torch {torch.__version__})")
