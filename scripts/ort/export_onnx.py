# Exports the reference PyTorch network with our safetensors loaded to ONNX (scripts/compare-ort.sh).
# usage: export_onnx.py MODEL.safetensors OUT.onnx
import sys, importlib.util, torch
spec = importlib.util.spec_from_file_location("ref", "/work/shared/reference/pytorch_seed.py")
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
net = ref.Net()
state = ref.read_safetensors(sys.argv[1])
net.load_state_dict({k: torch.as_tensor(v) for k, v in state.items()}, strict=True)
net.eval()
torch.onnx.export(net, torch.zeros(1, 1, 28, 28), sys.argv[2], input_names=["image"], output_names=["logits"],
                  dynamic_axes={"image": {0: "n"}, "logits": {0: "n"}}, opset_version=13)
print("exported")
