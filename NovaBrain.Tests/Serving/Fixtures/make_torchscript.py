#!/usr/bin/env python3
"""Writes the TorchScript fixture the serving tests deploy, and what PyTorch answers for a few inputs.

    python3 NovaBrain.Tests/Serving/Fixtures/make_torchscript.py

writes mlp.torchscript.pt (a scripted 8 -> 16 -> 4 MLP, input "input" FP32 [-1, 8], output "output" FP32 [-1, 4])
and mlp.torchscript.json (the signature to register it with, three input rows and PyTorch's outputs for them) beside
this script. The tests need only the two files, so machines without PyTorch run them; run this again only to change them.
"""
import json
import pathlib

import torch

HERE = pathlib.Path(__file__).resolve().parent
INPUT_WIDTH, HIDDEN, OUTPUT_WIDTH, ROWS = 8, 16, 4, 3


class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(INPUT_WIDTH, HIDDEN)
        self.output = torch.nn.Linear(HIDDEN, OUTPUT_WIDTH)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return self.output(torch.relu(self.hidden(input)))


def main():
    torch.manual_seed(7)
    model = torch.jit.script(Mlp().eval())
    model_path = HERE / "mlp.torchscript.pt"
    torch.jit.save(model, str(model_path))

    inputs = torch.rand(ROWS, INPUT_WIDTH) * 2 - 1
    with torch.no_grad():
        outputs = torch.jit.load(str(model_path))(inputs)
    fixture = {
        "torch_version": torch.__version__,
        "signature": {
            "inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, INPUT_WIDTH]}],
            "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, OUTPUT_WIDTH]}],
        },
        "input": {"shape": list(inputs.shape), "data": inputs.flatten().tolist()},
        "output": {"shape": list(outputs.shape), "data": outputs.flatten().tolist()},
    }
    (HERE / "mlp.torchscript.json").write_text(json.dumps(fixture, indent=2) + "\n")


if __name__ == "__main__":
    main()
