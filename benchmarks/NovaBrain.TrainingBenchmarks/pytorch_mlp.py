"""The PyTorch baseline of NovaBrain.TrainingBenchmarks: the same MLP, data, batch size, optimiser and thread count as
the TorchSharp trainer (services/Training/NovaBrain.Training/Trainer/NetworkTrainer.cs), trained the same way: features
standardised on the training rows, rows shuffled per epoch and gathered with index_select, Adam, cross-entropy, the
loss read back after every batch, and the validation rows evaluated after every epoch.

Reads the rows the benchmark wrote (float32 features, int64 labels, little-endian), warms up with one epoch on the
first tenth of the training rows, then times --epochs epochs on all of them and prints one JSON line:
{"seconds": ..., "cpu_seconds": ..., "train_loss": ..., "val_accuracy": ..., "threads": ..., "torch": ..., "blas": ...}.

Debian's torch does its matrix products through whatever libblas.so.3 the system provides: netlib's reference BLAS is
an order of magnitude slower than OpenBLAS, so "blas" names the library this process loaded.
"""
import argparse
import json
import random
import time

import numpy
import torch


def arguments():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", required=True)
    parser.add_argument("--features", type=int, required=True)
    parser.add_argument("--classes", type=int, required=True)
    parser.add_argument("--hidden", required=True, help="comma-separated widths")
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument("--learning-rate", type=float, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--seed", type=int, required=True)
    return parser.parse_args()


def load(folder, name, features):
    x = torch.from_numpy(numpy.fromfile(f"{folder}/{name}-x.bin", dtype="<f4").reshape(-1, features).copy())
    y = torch.from_numpy(numpy.fromfile(f"{folder}/{name}-y.bin", dtype="<i8").copy())
    return x, y


def network(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def train(args, epochs, train_x, train_y, val_x, val_y):
    mean = train_x.mean(0)
    deviation = train_x.std(0, unbiased=False).clamp_min(1e-12)
    x, vx = (train_x - mean) / deviation, (val_x - mean) / deviation
    torch.manual_seed(args.seed)
    model = network([args.features] + [int(w) for w in args.hidden.split(",")] + [args.classes])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.learning_rate)
    rows = x.shape[0]
    train_loss, accuracy = 0.0, 0.0
    for epoch in range(epochs):
        model.train()
        order = list(range(rows))
        random.Random(args.seed * 1_000_003 + epoch).shuffle(order)
        total = 0.0
        for start in range(0, rows, args.batch):
            indices = torch.tensor(order[start:start + args.batch], dtype=torch.int64)
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x.index_select(0, indices)), train_y.index_select(0, indices))
            loss.backward()
            optimizer.step()
            total += loss.item() * indices.shape[0]
        train_loss = total / rows
        model.eval()
        with torch.no_grad():
            output = model(vx)
            torch.nn.functional.cross_entropy(output, val_y).item()
            accuracy = output.argmax(1).eq(val_y).float().mean().item()
    return train_loss, accuracy


def loaded_blas():
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "libblas" in line or "openblas" in line or "libmkl" in line}
    return ", ".join(sorted(paths)) or "none found"


def main():
    args = arguments()
    torch.set_num_threads(args.threads)
    train_x, train_y = load(args.folder, "train", args.features)
    val_x, val_y = load(args.folder, "validation", args.features)

    warm_up_rows = max(1, train_x.shape[0] // 10)
    train(args, 1, train_x[:warm_up_rows], train_y[:warm_up_rows], val_x, val_y)

    started, cpu_started = time.perf_counter(), time.process_time()
    train_loss, accuracy = train(args, args.epochs, train_x, train_y, val_x, val_y)
    print(json.dumps({
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu_started,
        "train_loss": train_loss,
        "val_accuracy": accuracy,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "blas": loaded_blas(),
    }))


if __name__ == "__main__":
    main()
