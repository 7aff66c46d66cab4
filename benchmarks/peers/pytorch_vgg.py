#!/usr/bin/env python3
"""The SAME model and training step as IlgpuCnn, in PyTorch, for side-by-side throughput.

Model: vgg_block(32,.2) -> vgg_block(64,.3) -> vgg_block(128,.4) -> vgg_block(256,.5) -> GAP ->
Dense 256 -> BN -> ReLU -> Dropout .35 -> Dense 10, conv 3x3 same, BN eps 1e-3 momentum 0.01
(= Keras 0.99), AdamW(lr 1e-3, betas (0.9, 0.999), eps 1e-7, weight_decay 0.003 on every
parameter), batch 64, fp32. Augmentation is left out on both sides of the comparison that
`ilgpucnn bench` makes only if --no-augment is given here; by default a flip+affine resample of
the batch is done on the GPU with affine_grid/grid_sample (reflection padding), as IlgpuCnn does.

Prints images/s for training and inference and the implied seconds per 40,000-image epoch, as
JSON on the last line. Synthetic data (already on the GPU), like `ilgpucnn bench`.

    python3 benchmarks/peers/pytorch_vgg.py [--steps 200] [--batch-size 64] [--width 1.0]
        [--tf32 | --no-tf32] [--channels-last] [--compile] [--no-augment]
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def vgg_block(cin, cout, drop):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.ReLU(inplace=True),
        nn.MaxPool2d(2), nn.Dropout(drop))


def model(width=1.0, classes=10):
    f = [max(1, round(c * width)) for c in (32, 64, 128, 256)]
    d = max(1, round(256 * width))
    net = nn.Sequential(
        vgg_block(3, f[0], 0.2), vgg_block(f[0], f[1], 0.3), vgg_block(f[1], f[2], 0.4), vgg_block(f[2], f[3], 0.5),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(f[3], d), nn.BatchNorm1d(d, eps=1e-3, momentum=0.01), nn.ReLU(inplace=True), nn.Dropout(0.35),
        nn.Linear(d, classes))
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    return net


def augment(x, gen):
    """Flip (p=.5), rotation in +-0.1*2pi, zoom in +-15% as one affine map; bilinear, reflection."""
    n = x.shape[0]
    flip = torch.where(torch.rand(n, device=x.device, generator=gen) < 0.5, -1.0, 1.0)
    angle = (torch.rand(n, device=x.device, generator=gen) * 2 - 1) * 0.1 * 2 * math.pi
    zoom = 1 + (torch.rand(n, device=x.device, generator=gen) * 2 - 1) * 0.15
    cos, sin = torch.cos(angle) * zoom, torch.sin(angle) * zoom
    theta = torch.stack([torch.stack([cos * flip, -sin, torch.zeros_like(cos)], 1),
                         torch.stack([sin * flip, cos, torch.zeros_like(cos)], 1)], 1)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--width", type=float, default=1.0)
    p.add_argument("--tf32", dest="tf32", action="store_true", default=False,
                   help="allow TF32 tensor-core math in convs and matmuls (PyTorch's cuDNN default is on)")
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--compile", action="store_true")
    p.add_argument("--no-augment", action="store_true")
    a = p.parse_args()

    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = a.tf32
    torch.backends.cuda.matmul.allow_tf32 = a.tf32
    torch.manual_seed(0)
    net = model(a.width).to(dev)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-7, weight_decay=0.003)
    step_net = torch.compile(net) if a.compile else net
    gen = torch.Generator(device=dev)
    gen.manual_seed(0)
    x = torch.rand(a.batch_size, 3, 32, 32, device=dev).to(memory_format=fmt)
    y = torch.randint(0, 10, (a.batch_size,), device=dev)

    def train_step():
        xb = x if a.no_augment else augment(x, gen)
        loss = F.cross_entropy(step_net(xb), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    net.train()
    for _ in range(10):
        train_step()
    sync()
    t = time.perf_counter()
    for _ in range(a.steps):
        train_step()
    sync()
    train_s = time.perf_counter() - t

    net.eval()
    with torch.no_grad():
        for _ in range(10):
            step_net(x)
        sync()
        t = time.perf_counter()
        for _ in range(a.steps):
            step_net(x)
        sync()
        infer_s = time.perf_counter() - t

    train_ips = a.batch_size * a.steps / train_s
    result = {
        "framework": f"pytorch {torch.__version__}",
        "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "batch_size": a.batch_size, "width": a.width, "steps": a.steps,
        "tf32": a.tf32, "channels_last": a.channels_last, "compile": a.compile, "augment": not a.no_augment,
        "params": sum(p.numel() for p in net.parameters()),
        "train_images_per_s": round(train_ips, 1),
        "ms_per_step": round(train_s * 1000 / a.steps, 3),
        "inference_images_per_s": round(a.batch_size * a.steps / infer_s, 1),
        "seconds_per_40000_image_epoch": round(40000 / train_ips, 2),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
