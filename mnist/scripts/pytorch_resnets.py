#!/usr/bin/env python3
"""The CIFAR-style networks of mnist.jar (CifarResNet.java) in PyTorch, with the same state_dict names.

  python3 pytorch_resnets.py --model FILE.safetensors --data DIR [--test-limit N]
      builds the network the file's metadata names (architecture, shortcut), loads the file with
      load_state_dict(strict=True), evaluates in eval mode and prints accuracy and mean loss
      (compare with `java -jar mnist.jar eval --model FILE`).
  python3 pytorch_resnets.py --train resnet-8 --data DIR --steps 40 --batch-size 16 --lr 0.05 --momentum 0.9
      trains the same architecture in PyTorch on the first images (no shuffle) and prints the loss
      of each block of 10 steps, for comparing learning speed.
"""
import argparse, gzip, json, math, os, struct, sys
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    op = gzip.open if open(path, 'rb').read(2) == b'\x1f\x8b' else open
    with op(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(d, stem):
    for name in (stem + '.gz', stem):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    raise SystemExit(f'{stem} not found in {d}')


def load(d, train, limit):
    pre = 'train' if train else 't10k'
    x = read_idx(find(d, f'{pre}-images-idx3-ubyte'))
    y = read_idx(find(d, f'{pre}-labels-idx1-ubyte'))
    if limit:
        x, y = x[:limit], y[:limit]
    x = (torch.tensor(x, dtype=torch.float32) / 255.0 - 0.1307) / 0.3081
    return x.unsqueeze(1), torch.tensor(y, dtype=torch.long)


def read_safetensors(path):
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h = json.loads(b[8:8 + n])
    meta = h.pop('__metadata__', {})
    out = {}
    for k, v in h.items():
        s, e = v['data_offsets']
        out[k] = torch.tensor(np.frombuffer(b[8 + n + s:8 + n + e], dtype='<f4').reshape(v['shape']).copy())
    return out, meta


class PadShortcut(nn.Module):
    """Option A: x[:, :, ::s, ::s] and zero channels appended."""
    def __init__(self, out, stride):
        super().__init__()
        self.out, self.stride = out, stride

    def forward(self, x):
        x = x[:, :, ::self.stride, ::self.stride]
        return F.pad(x, (0, 0, 0, 0, 0, self.out - x.shape[1]))


def shortcut(kind, cin, cout, stride):
    if cin == cout and stride == 1:
        return None
    if kind == 'pad':
        return PadShortcut(cout, stride)
    return nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))


class Basic(nn.Module):
    def __init__(self, cin, cout, stride, residual, kind):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.residual = residual
        self.shortcut = shortcut(kind, cin, cout, stride) if residual else None

    def forward(self, x):
        y = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        if self.residual:
            y = y + (x if self.shortcut is None else self.shortcut(x))
        return F.relu(y)


class Bottleneck(nn.Module):
    def __init__(self, cin, planes, stride, kind):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, 4 * planes, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(4 * planes)
        self.shortcut = shortcut(kind, cin, 4 * planes, stride)

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (x if self.shortcut is None else self.shortcut(x)))


class PreAct(nn.Module):
    def __init__(self, cin, cout, stride, kind):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.shortcut = shortcut(kind, cin, cout, stride)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(a)
        y = self.conv2(F.relu(self.bn2(self.conv1(a))))
        return y + skip


class PreActBottleneck(nn.Module):
    def __init__(self, cin, planes, stride, kind):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, planes, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, 4 * planes, 1, bias=False)
        self.shortcut = shortcut(kind, cin, 4 * planes, stride)

    def forward(self, x):
        a = F.relu(self.bn1(x))
        skip = x if self.shortcut is None else self.shortcut(a)
        y = self.conv1(a)
        y = self.conv2(F.relu(self.bn2(y)))
        y = self.conv3(F.relu(self.bn3(y)))
        return y + skip


class Net(nn.Module):
    def __init__(self, arch, kind='pad'):
        super().__init__()
        family, depth = arch.rsplit('-', 1)
        depth = int(depth)
        bottleneck = family in ('bottleneck', 'preact-bottleneck')
        self.preact = family.startswith('preact')
        n = (depth - 2) // (9 if bottleneck else 6)
        e = 4 if bottleneck else 1
        self.conv1 = nn.Conv2d(1, 16, 3, 1, 1, bias=False)
        if not self.preact:
            self.bn1 = nn.BatchNorm2d(16)
        cin = 16
        for s, w in enumerate((16, 32, 64)):
            blocks = []
            for b in range(n):
                stride = 2 if s > 0 and b == 0 else 1
                if family == 'resnet':
                    blocks.append(Basic(cin, w, stride, True, kind))
                elif family == 'plain':
                    blocks.append(Basic(cin, w, stride, False, kind))
                elif family == 'bottleneck':
                    blocks.append(Bottleneck(cin, w, stride, kind))
                elif family == 'preact-resnet':
                    blocks.append(PreAct(cin, w, stride, kind))
                else:
                    blocks.append(PreActBottleneck(cin, w, stride, kind))
                cin = w * e
            setattr(self, f'layer{s + 1}', nn.Sequential(*blocks))
        if self.preact:
            self.bn = nn.BatchNorm2d(cin)
        self.fc = nn.Linear(cin, 10)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')

    def forward(self, x):
        h = self.conv1(x)
        if not self.preact:
            h = F.relu(self.bn1(h))
        h = self.layer3(self.layer2(self.layer1(h)))
        if self.preact:
            h = F.relu(self.bn(h))
        return self.fc(h.mean((2, 3)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--model', help='a model.safetensors written by mnist.jar')
    ap.add_argument('--train', metavar='ARCH', help='train this architecture in PyTorch instead')
    ap.add_argument('--shortcut', default='pad')
    ap.add_argument('--data', required=True)
    ap.add_argument('--test-limit', type=int, default=0)
    ap.add_argument('--steps', type=int, default=40)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--lr', type=float, default=0.05)
    ap.add_argument('--momentum', type=float, default=0.9)
    ap.add_argument('--weight-decay', type=float, default=0.0)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(2)
    if a.train:
        torch.manual_seed(a.seed)
        net = Net(a.train, a.shortcut)
        x, y = load(a.data, True, a.steps * a.batch_size)
        opt = torch.optim.SGD(net.parameters(), lr=a.lr, momentum=a.momentum, weight_decay=a.weight_decay)
        losses = []
        for s in range(a.steps):
            xb, yb = x[s * a.batch_size:(s + 1) * a.batch_size], y[s * a.batch_size:(s + 1) * a.batch_size]
            loss = F.cross_entropy(net(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        print(f'{a.train}: {sum(p.numel() for p in net.parameters())} parameters; mean loss per 10 steps',
              ' '.join(f'{np.mean(losses[i:i + 10]):.3f}' for i in range(0, len(losses), 10)))
        return
    state, meta = read_safetensors(a.model)
    arch = meta.get('architecture', 'seed')
    if arch == 'seed':
        raise SystemExit('the seed model: use shared/reference/pytorch_seed.py --eval-safetensors')
    net = Net(arch, meta.get('shortcut', 'pad'))
    net.load_state_dict(state, strict=True)
    net.eval()
    x, y = load(a.data, False, a.test_limit)
    with torch.no_grad():
        logits = torch.cat([net(x[i:i + 1000]) for i in range(0, len(x), 1000)])
    loss = F.cross_entropy(logits, y).item()
    correct = (logits.argmax(1) == y).sum().item()
    print(f'{arch} (shortcut {meta.get("shortcut")}): {len(state)} tensors, '
          f'{sum(p.numel() for p in net.parameters())} parameters, loaded with strict=True')
    print(f'pytorch test accuracy {100.0 * correct / len(y):.2f}% ({correct}/{len(y)}), test loss {loss:.4f}')


if __name__ == '__main__':
    main()
