#!/usr/bin/env python3
"""PyTorch CPU reference for tools/bench/train-step.js: the same all-2D conv stack, the same
shapes, loss and optimizer, timed the same way (median of per-step wall times after a warm-up).

Prints one JSON object: {"stepMs", "runs", "torch", "threads"}. Exits 3 when torch is missing so
the caller can report null instead of failing.
"""
import argparse
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError as err:  # the caller reports torchStepMs: null
    print(json.dumps({"error": f"torch is not installed: {err}"}))
    sys.exit(3)


def build(channels, stride2_at):
    layers = []
    cin = 3
    for i, cout in enumerate(channels[:-1]):
        stride = 2 if i == stride2_at else 1
        layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        cin = cout
    layers.append(nn.Conv2d(cin, channels[-1], 3, padding=1))
    return nn.Sequential(*layers)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--height", type=int, default=64)
    p.add_argument("--width", type=int, default=128)
    p.add_argument("--channels", default="32,32,64,64,1")
    p.add_argument("--stride2-at", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--optimizer", choices=["adamw", "sgd"], default="adamw")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--repeats", type=int, default=20)
    a = p.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    channels = [int(c) for c in a.channels.split(",")]
    net = build(channels, a.stride2_at).train()
    if a.optimizer == "adamw":
        opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.01)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=1e-2, momentum=0.9, weight_decay=1e-4)
    x = torch.rand(a.batch, 3, a.height, a.width)
    with torch.no_grad():
        out_shape = net(x).shape
    target = torch.rand(out_shape)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = nn.functional.l1_loss(net(x), target)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    runs = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        step()
        runs.append((time.perf_counter() - t0) * 1000)
    print(json.dumps({"stepMs": statistics.median(runs), "runs": runs, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
