#!/usr/bin/env python3
"""Checks ONNX files with the ONNX project's own checker, full_check=True (shape inference too).

usage: scripts/onnx-check.py FILE.onnx [FILE.onnx ...]
Needs the onnx Python package (Debian: apt-get install python3-onnx). Prints one line per file;
exits 1 if any file fails, 2 if onnx is missing.
"""
import sys

try:
    import onnx
except ImportError:
    print("onnx-check: the Python package onnx is missing (Debian: apt-get install python3-onnx)", file=sys.stderr)
    sys.exit(2)

failed = 0
for path in sys.argv[1:]:
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        opset = ",".join(f"{o.domain or 'ai.onnx'}:{o.version}" for o in model.opset_import)
        out = model.graph.output[0]
        dims = [d.dim_param or d.dim_value for d in out.type.tensor_type.shape.dim]
        print(f"ok {path}: ir {model.ir_version}, opset {opset}, {len(model.graph.node)} nodes, "
              f"output {out.name} {dims} (onnx {onnx.__version__})")
    except Exception as e:  # the checker raises several kinds; report each file in one line
        failed += 1
        print(f"FAILED {path}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}")
sys.exit(1 if failed else 0)
