using ILGPU.Runtime;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>ReLU, max-pool, dropout, GAP, batch norm, dense, softmax-CE and AdamW against plain double references.</summary>
[Collection(DeviceCollection.Name)]
public sealed class ElementwiseKernelsTests
{
    private readonly DeviceFixture _fx;

    public ElementwiseKernelsTests(DeviceFixture fx) => _fx = fx;

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 7, 9)]
    [InlineData(2, 3, 33, 31)]
    public void ReluForwardBackward(int n, int c, int h, int w)
    {
        var rng = new TestRandom();
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length);
        var dy = rng.Floats(shape.Length);
        var dx0 = rng.Floats(shape.Length);
        using var tx = Tensor.FromHost(_fx.Device, shape, x);
        using var ty = Tensor.Allocate(_fx.Device, shape, false);
        using var tdy = Tensor.FromHost(_fx.Device, shape, dy);
        using var tdx = Tensor.FromHost(_fx.Device, shape, dx0);
        var k = ReluKernels.For(_fx.Device);
        k.Forward(tx.View, ty.View);
        k.Backward(ty.View, tdy.View, tdx.View);
        Assertions.Close(x.Select(v => Math.Max(0.0, v)).ToArray(), ty.ToHost(), what: "relu forward", seed: rng.Seed);
        Assertions.Close(x.Select((v, i) => v > 0 ? (double)dy[i] : 0).ToArray(), tdx.ToHost(), what: "relu backward (overwrites dx)", seed: rng.Seed);
    }

    [Theory]
    [InlineData(1, 1, 2, 2)]
    [InlineData(2, 3, 8, 6)]
    [InlineData(3, 2, 7, 9)]
    public void MaxPoolForwardBackward(int n, int c, int h, int w)
    {
        var rng = new TestRandom();
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length);
        int oh = h / 2, ow = w / 2;
        var dy = rng.Floats((long)n * c * oh * ow);
        var dx0 = rng.Floats(shape.Length);
        var ey = new double[dy.Length];
        // The kernel overwrites every input of every 2x2 window (0 off the argmax); an odd last
        // row/column is in no window and keeps what was there (the layer zeroes it).
        var edx = dx0.Select(v => (double)v).ToArray();
        for (int p = 0; p < n * c; p++)
        for (int r = 0; r < 2 * oh; r++)
        for (int q = 0; q < 2 * ow; q++)
        {
            edx[((long)p * h + r) * w + q] = 0;
        }
        for (int p = 0; p < n * c; p++)
        for (int r = 0; r < oh; r++)
        for (int q = 0; q < ow; q++)
        {
            int best = -1;
            for (int a = 0; a < 2; a++)
            for (int b = 0; b < 2; b++)
            {
                int i = (p * h + 2 * r + a) * w + 2 * q + b;
                if (best < 0 || x[i] > x[best])
                {
                    best = i;
                }
            }

            int o = (p * oh + r) * ow + q;
            ey[o] = x[best];
            edx[best] += dy[o];
        }

        using var tx = Tensor.FromHost(_fx.Device, shape, x);
        using var ty = Tensor.Allocate(_fx.Device, new Shape(n, c, oh, ow), false);
        using var arg = _fx.Device.Accelerator.Allocate1D<int>(ty.Length);
        using var tdy = Tensor.FromHost(_fx.Device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(_fx.Device, shape, dx0);
        var k = MaxPoolKernels.For(_fx.Device);
        k.Forward(n * c, h, w, tx.View, ty.View, arg.View);
        k.Backward(n * c, h, w, tdy.View, arg.View, tdx.View);
        Assertions.Close(ey, ty.ToHost(), what: "maxpool forward", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: "maxpool backward", seed: rng.Seed);
    }

    [Fact]
    public void DropoutKeepsAboutOneMinusRateAndScales()
    {
        var rng = new TestRandom();
        const float rate = 0.3f;
        var shape = new Shape(4, 7, 33, 35);
        var x = rng.Floats(shape.Length, 0.5f, 2f);
        var dy = rng.Floats(shape.Length);
        uint key = DropoutKernels.MaskKey((uint)rng.Seed, 3, 17);
        using var tx = Tensor.FromHost(_fx.Device, shape, x);
        using var ty = Tensor.Allocate(_fx.Device, shape, false);
        using var tdy = Tensor.FromHost(_fx.Device, shape, dy);
        using var tdx = Tensor.Allocate(_fx.Device, shape, false);
        tdx.View.MemSetToZero();
        var k = DropoutKernels.For(_fx.Device);
        k.Forward(key, rate, tx.View, ty.View);
        k.Backward(key, rate, tdy.View, tdx.View);
        var y = ty.ToHost();
        var dx = tdx.ToHost();
        int kept = 0;
        for (int i = 0; i < y.Length; i++)
        {
            bool keep = DropoutKernels.Keep(key, i, rate);
            kept += keep ? 1 : 0;
            double ey = keep ? x[i] / (1.0 - rate) : 0;
            double edx = keep ? dy[i] / (1.0 - rate) : 0;
            Assert.True(Math.Abs(y[i] - ey) <= 1e-5 * Math.Abs(ey) + 1e-7, $"y[{i}] = {y[i]}, expected {ey} (seed {rng.Seed})");
            Assert.True(Math.Abs(dx[i] - edx) <= 1e-5 * Math.Abs(edx) + 1e-7, $"dx[{i}] = {dx[i]}, expected {edx} (seed {rng.Seed})");
        }

        double keepRate = kept / (double)y.Length;
        Assert.InRange(keepRate, 0.7 - 0.01, 0.7 + 0.01);

        // Another step draws another mask.
        uint key2 = DropoutKernels.MaskKey((uint)rng.Seed, 3, 18);
        int same = 0;
        for (int i = 0; i < 10000; i++)
        {
            same += DropoutKernels.Keep(key, i, rate) == DropoutKernels.Keep(key2, i, rate) ? 1 : 0;
        }

        Assert.InRange(same / 10000.0, 0.55, 0.62); // 0.7² + 0.3² = 0.58 for independent masks
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 4, 4)]
    [InlineData(2, 7, 5, 3)]
    public void GlobalAvgPoolForwardBackward(int n, int c, int h, int w)
    {
        var rng = new TestRandom();
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length);
        var dy = rng.Floats((long)n * c);
        var dx0 = rng.Floats(shape.Length);
        int hw = h * w;
        var ey = Enumerable.Range(0, n * c).Select(p => Enumerable.Range(0, hw).Sum(i => (double)x[p * hw + i]) / hw).ToArray();
        var edx = dx0.Select((_, i) => (double)dy[i / hw] / hw).ToArray(); // overwrites dx
        using var tx = Tensor.FromHost(_fx.Device, shape, x);
        using var ty = Tensor.Allocate(_fx.Device, new Shape(n, c, 1, 1), false);
        using var tdy = Tensor.FromHost(_fx.Device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(_fx.Device, shape, dx0);
        var k = GlobalAvgPoolKernels.For(_fx.Device);
        k.Forward(n * c, hw, tx.View, ty.View);
        k.Backward(hw, tdy.View, tdx.View);
        Assertions.Close(ey, ty.ToHost(), what: "gap forward", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: "gap backward", seed: rng.Seed);
    }

    [Theory]
    [InlineData(KernelVariant.Simple, 1, 1, 1)]
    [InlineData(KernelVariant.Simple, 5, 7, 3)]
    [InlineData(KernelVariant.Tiled, 5, 7, 3)]
    [InlineData(KernelVariant.Tiled, 67, 70, 33)]
    [InlineData(KernelVariant.Tiled, 130, 9, 65)]
    [InlineData(KernelVariant.Blocked, 5, 7, 3)]
    [InlineData(KernelVariant.Blocked, 67, 70, 33)]
    [InlineData(KernelVariant.Blocked, 130, 9, 65)]
    [InlineData(KernelVariant.Blocked, 3, 63, 64)]
    public void DenseForwardBackward(KernelVariant variant, int n, int inF, int outF)
    {
        var device = variant is KernelVariant.Tiled or KernelVariant.Blocked ? _fx.GpuShaped : _fx.Device;
        var rng = new TestRandom();
        var x = rng.Floats((long)n * inF);
        var w = rng.Floats((long)inF * outF);
        var b = rng.Floats(outF);
        var dy = rng.Floats((long)n * outF);
        var dx0 = rng.Floats(x.Length);
        var dw0 = rng.Floats(w.Length);
        var db0 = rng.Floats(outF);
        var ey = Reference.Dense(x, w, b, n, inF, outF);
        var edx = new double[x.Length];
        var edw = new double[w.Length];
        var edb = new double[outF];
        for (int s = 0; s < n; s++)
        for (int i = 0; i < inF; i++)
        for (int o = 0; o < outF; o++)
        {
            edx[s * inF + i] += (double)dy[s * outF + o] * w[i * outF + o];
            edw[i * outF + o] += (double)x[s * inF + i] * dy[s * outF + o];
        }

        for (int s = 0; s < n; s++)
        for (int o = 0; o < outF; o++)
        {
            edb[o] += dy[s * outF + o];
        }

        using var tx = Tensor.FromHost(device, new Shape(n, inF, 1, 1), x);
        using var tw = Tensor.FromHost(device, new Shape(inF, outF, 1, 1), w);
        using var tb = Tensor.FromHost(device, new Shape(outF, 1, 1, 1), b);
        using var ty = Tensor.Allocate(device, new Shape(n, outF, 1, 1), false);
        using var tdy = Tensor.FromHost(device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(device, tx.Shape, dx0);
        using var tdw = Tensor.FromHost(device, tw.Shape, dw0);
        using var tdb = Tensor.FromHost(device, tb.Shape, db0);
        var k = DenseKernels.For(device);
        k.Forward(n, inF, outF, tx.View, tw.View, tb.View, ty.View, variant);
        k.BackwardData(n, inF, outF, tdy.View, tw.View, tdx.View, variant);
        k.BackwardWeights(n, inF, outF, tx.View, tdy.View, tdw.View, tdb.View, variant);
        Assertions.Close(ey, ty.ToHost(), what: $"{variant} dense forward", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: $"{variant} dense dx (overwritten)", seed: rng.Seed);
        Assertions.Close(edw.Select((v, i) => v + dw0[i]).ToArray(), tdw.ToHost(), what: $"{variant} dense dw", seed: rng.Seed);
        Assertions.Close(edb.Select((v, i) => v + db0[i]).ToArray(), tdb.ToHost(), what: $"{variant} dense db", seed: rng.Seed);
    }

    [Theory]
    [InlineData(false, 3, 5, 4, 6)]
    [InlineData(false, 7, 3, 1, 1)]
    [InlineData(true, 3, 5, 4, 6)]
    [InlineData(true, 2, 3, 5, 7)]
    public void BatchNormForwardBackward(bool gpuShaped, int n, int c, int h, int w)
    {
        var device = gpuShaped ? _fx.GpuShaped : _fx.Device;
        var rng = new TestRandom();
        const float eps = 1e-3f, momentum = 0.99f;
        int hw = h * w, m = n * hw;
        var shape = new Shape(n, c, h, w);
        var x = rng.Floats(shape.Length, -2f, 3f);
        var gamma = rng.Floats(c, 0.5f, 1.5f);
        var beta = rng.Floats(c);
        var mm0 = rng.Floats(c);
        var mv0 = rng.Floats(c, 0.5f, 2f);
        var dy = rng.Floats(shape.Length);
        var dx0 = rng.Floats(shape.Length);
        var dg0 = rng.Floats(c);
        var db0 = rng.Floats(c);

        var ey = new double[x.Length];
        var edx = new double[x.Length]; // dx is overwritten (dx0 is garbage it must replace)
        var edg = dg0.Select(v => (double)v).ToArray();
        var edb = db0.Select(v => (double)v).ToArray();
        var emm = new double[c];
        var emv = new double[c];
        var eyInf = new double[x.Length];
        for (int ch = 0; ch < c; ch++)
        {
            var idx = Enumerable.Range(0, m).Select(i => (i / hw * c + ch) * hw + i % hw).ToArray();
            double mean = idx.Average(i => (double)x[i]);
            double variance = idx.Average(i => (x[i] - mean) * (x[i] - mean));
            double rs = 1 / Math.Sqrt(variance + eps);
            emm[ch] = momentum * mm0[ch] + (1 - momentum) * mean;
            emv[ch] = momentum * mv0[ch] + (1 - momentum) * variance;
            double sdy = 0, sdyx = 0;
            foreach (int i in idx)
            {
                double xhat = (x[i] - mean) * rs;
                ey[i] = gamma[ch] * xhat + beta[ch];
                eyInf[i] = gamma[ch] * (x[i] - emm[ch]) / Math.Sqrt(emv[ch] + eps) + beta[ch];
                sdy += dy[i];
                sdyx += dy[i] * xhat;
            }

            edb[ch] += sdy;
            edg[ch] += sdyx;
            foreach (int i in idx)
            {
                double xhat = (x[i] - mean) * rs;
                edx[i] += gamma[ch] * rs / m * (m * dy[i] - sdy - xhat * sdyx);
            }
        }

        using var tx = Tensor.FromHost(device, shape, x);
        using var tg = Tensor.FromHost(device, new Shape(c, 1, 1, 1), gamma);
        using var tb = Tensor.FromHost(device, new Shape(c, 1, 1, 1), beta);
        using var tmm = Tensor.FromHost(device, new Shape(c, 1, 1, 1), mm0);
        using var tmv = Tensor.FromHost(device, new Shape(c, 1, 1, 1), mv0);
        using var tmean = Tensor.Allocate(device, new Shape(c, 1, 1, 1), false);
        using var invstd = Tensor.Allocate(device, new Shape(c, 1, 1, 1), false);
        using var sums = Tensor.Allocate(device, new Shape(2 * c, 1, 1, 1), false);
        using var ty = Tensor.Allocate(device, shape, false);
        using var tdy = Tensor.FromHost(device, shape, dy);
        using var tdx = Tensor.FromHost(device, shape, dx0);
        using var tdg = Tensor.FromHost(device, new Shape(c, 1, 1, 1), dg0);
        using var tdb = Tensor.FromHost(device, new Shape(c, 1, 1, 1), db0);
        var k = BatchNormKernels.For(device);
        var d = new BatchNormDims(n, c, hw, eps, momentum);
        var buffers = new BatchNormBuffers
        {
            X = tx.View,
            Y = ty.View,
            Gamma = tg.View,
            Beta = tb.View,
            Mean = tmean.View,
            InvStd = invstd.View,
            MovingMean = tmm.View,
            MovingVar = tmv.View,
            Dy = tdy.View,
            Dx = tdx.View,
            DGamma = tdg.View,
            DBeta = tdb.View,
            Sums = sums.View,
        };
        k.ForwardTraining(d, buffers);
        k.Backward(d, buffers);
        Assertions.Close(ey, ty.ToHost(), what: "bn forward", seed: rng.Seed);
        Assertions.Close(emm, tmm.ToHost(), what: "bn moving mean", seed: rng.Seed);
        Assertions.Close(emv, tmv.ToHost(), what: "bn moving variance", seed: rng.Seed);
        Assertions.Close(edx, tdx.ToHost(), what: "bn dx", seed: rng.Seed);
        Assertions.Close(edg, tdg.ToHost(), what: "bn dgamma", seed: rng.Seed);
        Assertions.Close(edb, tdb.ToHost(), what: "bn dbeta", seed: rng.Seed);

        k.ForwardInference(d, buffers);
        Assertions.Close(eyInf, ty.ToHost(), what: "bn inference", seed: rng.Seed);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(9, 10)]
    [InlineData(33, 7)]
    public void SoftmaxCrossEntropyForwardBackward(int n, int k)
    {
        var rng = new TestRandom();
        var z = rng.Floats((long)n * k, -4f, 4f);
        z[0] = 40f; // a large logit: log-softmax must stay finite
        var labels = rng.Ints(n, k);
        var dz0 = rng.Floats(z.Length);
        var ep = new double[z.Length];
        var edz = new double[z.Length]; // dz is overwritten (dz0 is garbage it must replace)
        double lossSum = 0;
        int correct = 0;
        for (int s = 0; s < n; s++)
        {
            double max = Enumerable.Range(0, k).Max(j => (double)z[s * k + j]);
            int arg = Enumerable.Range(0, k).First(j => z[s * k + j] == max);
            double lse = max + Math.Log(Enumerable.Range(0, k).Sum(j => Math.Exp(z[s * k + j] - max)));
            lossSum += lse - z[s * k + labels[s]];
            correct += arg == labels[s] ? 1 : 0;
            for (int j = 0; j < k; j++)
            {
                ep[s * k + j] = Math.Exp(z[s * k + j] - lse);
                edz[s * k + j] += (ep[s * k + j] - (j == labels[s] ? 1 : 0)) / n;
            }
        }

        var device = _fx.Device;
        using var tz = Tensor.FromHost(device, new Shape(n, k, 1, 1), z);
        using var lab = device.Accelerator.Allocate1D<int>(labels);
        using var probs = Tensor.Allocate(device, tz.Shape, false);
        using var sl = Tensor.Allocate(device, new Shape(n, 1, 1, 1), false);
        using var sc = Tensor.Allocate(device, new Shape(n, 1, 1, 1), false);
        using var loss = Tensor.FromHost(device, new Shape(1, 1, 1, 1), [0f]);
        using var dloss = Tensor.FromHost(device, new Shape(1, 1, 1, 1), [1f]);
        using var metrics = Tensor.FromHost(device, new Shape(3, 1, 1, 1), [0.5f, 2f, 4f]);
        using var tdz = Tensor.FromHost(device, tz.Shape, dz0);
        var kernels = SoftmaxCrossEntropyKernels.For(device);
        kernels.Forward(n, k, tz.View, lab.View, probs.View, sl.View, sc.View, loss.View, metrics.View);
        kernels.Backward(n, k, probs.View, lab.View, dloss.View, tdz.View);
        Assertions.Close(ep, probs.ToHost(), what: "softmax", seed: rng.Seed);
        Assertions.Close([lossSum / n], loss.ToHost(), what: "mean loss", seed: rng.Seed);
        Assertions.Close([0.5 + lossSum, 2.0 + correct, 5.0], metrics.ToHost(), what: "metric sums and finite batches", seed: rng.Seed);
        Assertions.Close(edz, tdz.ToHost(), what: "dlogits", seed: rng.Seed);
    }

    [Fact]
    public void AdamWOneMinusBetaIsComputedInDoubleAsKerasDoes()
    {
        var s = new AdamWStep(1e-3, 0.003, 0.9, 0.999, 1e-7, 1);
        Assert.Equal((float)(1 - 0.999), s.OneMinusBeta2);
        Assert.Equal((float)(1 - 0.9), s.OneMinusBeta1);
        Assert.NotEqual(1f - 0.999f, s.OneMinusBeta2); // float32 arithmetic would give 0.99987e-3
    }

    [Fact]
    public void AdamWMatchesHandComputedStepsOverSeveralIterations()
    {
        var rng = new TestRandom();
        const int count = 37;
        double lr = 1e-3, wd = 0.003, b1 = 0.9, b2 = 0.999, eps = 1e-7;
        var w = rng.Floats(count).Select(v => (double)v).ToArray();
        var m = new double[count];
        var v = new double[count];
        var device = _fx.Device;
        using var tw = Tensor.FromHost(device, new Shape(count, 1, 1, 1), w.Select(x => (float)x).ToArray());
        using var tg = Tensor.Allocate(device, tw.Shape, false);
        using var tm = Tensor.Allocate(device, tw.Shape, false);
        using var tv = Tensor.Allocate(device, tw.Shape, false);
        tm.View.MemSetToZero();
        tv.View.MemSetToZero();
        var k = AdamWKernels.For(device);
        for (int t = 1; t <= 5; t++)
        {
            var g = rng.Floats(count);
            tg.Upload(g);
            k.Step(new AdamWStep(lr, wd, b1, b2, eps, t), tw.View, tg.View, tm.View, tv.View);
            double alpha = lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < count; i++)
            {
                w[i] -= lr * wd * w[i];
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                w[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + eps);
            }
        }

        Assertions.Close(w, tw.ToHost(), rtol: 1e-5, atol: 1e-6, what: "weights after 5 steps", seed: rng.Seed);
        Assertions.Close(m, tm.ToHost(), rtol: 1e-5, atol: 1e-6, what: "first moments", seed: rng.Seed);
        Assertions.Close(v, tv.ToHost(), rtol: 1e-4, atol: 1e-7, what: "second moments", seed: rng.Seed);
    }
}
