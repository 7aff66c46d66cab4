using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Kernels;

[Collection(DeviceCollection.Name)]
public class Conv2dKernelsTests
{
    private readonly DeviceFixture _fx;

    public Conv2dKernelsTests(DeviceFixture fx) => _fx = fx;

    /// <summary>Shapes with the bodies the plan must pick for forward, backward-data and backward-weights ("Simple Simple Simple": the CPU accelerator's plan; otherwise a GPU's, on the GPU-shaped device).</summary>
    public static TheoryData<string, int, int, int, int, int, int, int, int> Cases() => new()
    {
        // bodies, n, ci, h, w, co, k, stride, pad
        { "Simple Simple Simple", 2, 3, 7, 5, 4, 3, 1, 1 },
        { "Simple Simple Simple", 3, 2, 6, 6, 5, 3, 2, 1 },
        { "Simple Simple Simple", 1, 4, 5, 7, 3, 1, 1, 0 },
        { "Simple Simple Simple", 2, 3, 7, 6, 5, 5, 1, 2 },
        // A GPU's plan (the bodies of forward, backward-data, backward-weights):
        { "Cursor Cursor Cursor", 2, 3, 7, 6, 5, 5, 1, 2 },
        { "Direct Cursor Cursor", 2, 3, 7, 5, 4, 3, 1, 1 },
        { "Direct Simple Cursor", 3, 2, 6, 6, 5, 3, 2, 1 },   // stride 2: backward-data on the Simple body, by the plan
        { "Cursor Simple Cursor", 2, 5, 9, 8, 6, 3, 2, 1 },   // stride 2, 5 channels: forward's window (5 × 33 × 65) too big for Direct
        { "Direct Simple Cursor", 2, 1, 9, 10, 6, 3, 2, 1 },  // stride 2 on Direct (a 1 × 33 × 65 window)
        { "Direct Cursor Cursor", 2, 2, 7, 9, 9, 5, 1, 2 },   // 5×5, padding 2 on Direct (K = 50)
        { "Direct Run32 Cursor", 3, 5, 6, 7, 16, 1, 1, 0 },   // 1×1 on Direct (K = 5), two channel blocks
        { "Cursor Cursor Run64", 2, 9, 9, 8, 70, 3, 1, 1 },
        { "Run32 Cursor RunShort", 1, 8, 4, 4, 9, 3, 1, 1 },
        { "Direct Cursor Cursor", 1, 3, 5, 4, 2, 1, 1, 0 },
        { "Direct Cursor RunShort", 4, 2, 9, 8, 3, 3, 1, 1 }, // split-K backward-weights (K = 288)
        { "Direct Cursor Cursor", 1, 3, 5, 4, 30, 3, 1, 1 },  // split-K backward-data (K = 270)
        // Balanced staging (RunGemm) where channels / pixels come in runs of 8:
        { "Run32 Cursor Cursor", 3, 8, 5, 7, 9, 3, 1, 1 },    // forward runs only (Ci = 8)
        { "Run32 Run32 Cursor", 3, 16, 4, 6, 24, 3, 1, 1 },   // backward-data K = 216 ends mid K step; 6-pixel rows: backward-weights falls back
        { "Run32 Run32 RunShort", 9, 8, 8, 4, 8, 3, 1, 1 },   // split-K backward-weights runs (K = 288), images of 32 pixels
        { "Direct Run32 RunShort", 1, 3, 4, 4, 32, 3, 1, 1 }, // split-K backward-data runs (K = 288), forward on Direct (Ci = 3)
        { "Run32 Simple Cursor", 2, 8, 7, 6, 8, 3, 2, 1 },    // stride 2: forward runs, 12-pixel images fall back
        { "Run32 Simple Cursor", 2, 8, 8, 8, 8, 3, 2, 1 },    // stride 2: backward-weights falls back too (x not read in contiguous runs)
        { "Run32 Run32 RunShort", 2, 8, 4, 4, 8, 1, 1, 0 },   // 1×1 kernel: K = 8, half a K step
        { "Run32 Run32 Cursor", 2, 8, 6, 4, 16, 5, 1, 2 },    // 5×5 kernel, padding 2: backward-weights falls back
        { "Run64 Cursor Run64", 1, 24, 3, 8, 70, 3, 1, 1 },   // 70 output channels: two column tiles, the second partial
        { "Run32 Run64 Cursor", 1, 40, 3, 5, 16, 3, 1, 1 },   // backward-data on the 64-wide tile (Ci = 40), forward on the 32-wide one
        { "Run32 Run32 Cursor", 3, 8, 9, 9, 32, 3, 1, 1 },    // 32 output channels: one full 32-wide tile, rows over several 64-row tiles
        { "Run64 Run32 Run64", 2, 16, 5, 8, 40, 3, 1, 1 },    // 40 channels each way: the 64-wide tile, a partial column tile
        // Split-K on the Run bodies, summed in the kernel (SliceSum): the last slice of a tile adds the others' partial tiles.
        { "Run64 Run64 Run64", 1, 64, 4, 4, 64, 3, 1, 1 },    // forward and backward-data in 4 slices each (K = 576), 16 rows: one partial row tile
        { "Run32 Run32 RunShort", 1, 32, 4, 4, 16, 3, 1, 1 }, // forward on the 32-wide tile in 2 slices (K = 288)
        { "Run32 Run32 RunShort", 1, 16, 4, 4, 32, 3, 1, 1 }, // backward-data on the 32-wide tile in 2 slices (K = 288)
    };

    /// <summary>The figures of an OpenCL device made of CPU cores (PoCL here), whose plan runs the Simd body where it fits.</summary>
    public static readonly DeviceFigures CpuCores = new(ILGPU.Runtime.AcceleratorType.OpenCL, 2, 4096, 4 << 20, CpuCores: true);

    /// <summary>3×3 stride-1 shapes with channels in sixteens: the Simd body (on PoCL compiled for the CPU's vector unit; here also on the fixture's other device), against the references.</summary>
    [Theory]
    [InlineData("Simd Simple Simd", 2, 3, 5, 8, 16)]     // 8-pixel rows, 3 input channels (the recipe's first layer): backward-data falls back
    [InlineData("Simd Simd Simd", 3, 16, 3, 4, 32)]      // 4-pixel rows (the recipe's 4×4 maps), odd batch and height
    [InlineData("Simd Simd Simd", 1, 32, 2, 16, 16)]     // two 8-pixel blocks per row, 32 → 16 channels
    [InlineData("Simd Simd Simd", 2, 16, 7, 12, 48)]     // 12-wide rows: 4-pixel blocks, three 16-channel blocks
    public void SimdBodyMatchesReference(string bodies, int n, int ci, int h, int w, int co) =>
        ForwardAndBackward(bodies, _fx.Device, CpuCores, n, ci, h, w, co, 3, 1, 1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchReference(string bodies, int n, int ci, int h, int w, int co, int k, int stride, int pad)
    {
        var (device, plan) = _fx.On(bodies != "Simple Simple Simple");
        ForwardAndBackward(bodies, device, plan, n, ci, h, w, co, k, stride, pad);
    }

    /// <summary>
    /// The 32×64 weight-gradient tile (RunShort) on its own, on the GPU-shaped device: 32 output
    /// channels (a full tile) and 24 or 8 (rows of padding), input channels not a multiple of 8
    /// (columns over one or two 64-wide tiles, the last partial), odd batch and height, the bias
    /// column on and off, K in one slice and in several (each adding atomically into dw).
    /// </summary>
    [Theory]
    [InlineData(3, 5, 7, 8, 32, true, 1)]     // K = 168: one slice; 45 + 1 columns
    [InlineData(5, 10, 9, 8, 24, true, 2)]    // K = 360: two slices; 90 + 1 columns, two tiles
    [InlineData(3, 3, 11, 16, 8, false, 4)]   // K = 528: four slices (the last shorter); no bias
    [InlineData(7, 12, 3, 8, 32, false, 1)]   // 108 columns, no bias; 3-row images
    public void ShortTileWeightGradientsMatchReference(int n, int ci, int h, int w, int co, bool bias, int splits)
    {
        var (device, plan) = _fx.On(gpu: true);
        var rng = new TestRandom();
        var g = new ConvGeometry(n, ci, h, w, co, 3, 3, 1, 1);
        var x = rng.Floats((long)n * ci * h * w);
        var dy = rng.Floats((long)n * co * g.OH * g.OW);
        var dw0 = rng.Floats((long)co * ci * 9);
        var db0 = rng.Floats(co);
        var (_, rdw, rdb) = Conv2dReference.Backward(x, new float[dw0.Length], dy, n, ci, h, w, co, 3, 3, 1, 1);

        using var tx = Tensor.FromHost(device, new Shape(n, ci, h, w), x);
        using var tdy = Tensor.FromHost(device, new Shape(n, co, g.OH, g.OW), dy);
        using var tdw = Tensor.FromHost(device, new Shape(co, ci, 3, 3), dw0);
        using var tdb = Tensor.FromHost(device, new Shape(co, 1, 1, 1), db0);
        var ran = Conv2dKernels.For(device).BackwardWeights(g, tx.View, tdy.View, tdw.View, bias ? tdb.View : default, plan);

        Assert.Equal((KernelBody.RunShort, "32×64", splits, splits > 1 ? GemmStoreMode.AtomicAdd : GemmStoreMode.Add), (ran.Body, ran.Tile, ran.Splits, ran.Store));
        Assertions.Close(rdw.Select((v, i) => v + dw0[i]).ToArray(), tdw.ToHost(), what: $"RunShort {ran}: backward-weights (accumulated)", seed: rng.Seed);
        var expectedDb = bias ? rdb.Select((v, i) => v + db0[i]).ToArray() : db0.Select(v => (double)v).ToArray();
        Assertions.Close(expectedDb, tdb.ToHost(), what: $"RunShort {ran}: bias grad ({(bias ? "accumulated" : "untouched")})", seed: rng.Seed);
    }

    /// <summary>
    /// Weight gradients on the GPU-shaped device: the Run bodies (64×64 for Co &gt; 32, 32×64
    /// otherwise) where x is read in contiguous runs (<see cref="PatchRowRun.Fits"/>: stride 1,
    /// padding ≤ 1, OW a multiple of 8 or OW = W = 4), else the Cursor body: runs at both edges of a
    /// row (padding left and right), rows wholly in the padding, runs of two rows, x's first and
    /// last floats (image 0 / the last image), against the double reference.
    /// </summary>
    [Theory]
    [InlineData(true, 2, 3, 5, 24, 40, 3, 1, 1)]    // OW = 24: first, inner and last run of each row; Run64
    [InlineData(true, 3, 5, 4, 18, 8, 5, 1, 1)]     // 5×5, padding 1: OW = 16, taps up to 3 columns right; RunShort
    [InlineData(true, 2, 4, 4, 10, 33, 3, 1, 0)]    // no padding, W = 10 > OW = 8: the run only ever reaches right
    [InlineData(true, 3, 2, 5, 6, 9, 1, 1, 1)]      // 1×1 with padding 1: OW = 8 > W, both ends of every run padding
    [InlineData(true, 3, 6, 4, 4, 48, 3, 1, 1)]     // OW = 4 = W (the recipe's block 4): 2 rows per run, the top / bottom one padding
    [InlineData(true, 2, 5, 6, 4, 20, 3, 1, 1)]     // OW = 4 = W, 6 rows: runs of 2 rows, image 0's first run half padding
    [InlineData(true, 5, 3, 2, 4, 9, 1, 1, 0)]      // 1×1, OW = 4 = W, 2 rows: a run is a whole image, a step of 16 crosses two
    [InlineData(false, 2, 3, 4, 2, 12, 3, 1, 1)]    // OW = 2: the Cursor body
    [InlineData(false, 1, 5, 8, 1, 40, 1, 1, 0)]    // OW = 1: the Cursor body
    [InlineData(false, 2, 3, 16, 16, 40, 3, 2, 1)]  // stride 2, OW = 8
    [InlineData(false, 3, 5, 3, 16, 8, 5, 1, 2)]    // padding 2, OW = 16
    [InlineData(false, 2, 3, 2, 12, 10, 3, 1, 1)]   // OW = 12 (OH·OW = 24)
    [InlineData(false, 2, 4, 6, 6, 36, 3, 1, 0)]    // OW = 4 but W = 6
    public void WeightGradientRunsMatchReference(bool rows, int n, int ci, int h, int w, int co, int k, int stride, int pad)
    {
        var (device, plan) = _fx.On(gpu: true);
        var rng = new TestRandom();
        var g = new ConvGeometry(n, ci, h, w, co, k, k, stride, pad);
        Assert.Equal(rows, PatchRowRun.Fits(g));
        var x = rng.Floats((long)n * ci * h * w);
        var dy = rng.Floats((long)n * co * g.OH * g.OW);
        var dw0 = rng.Floats((long)co * ci * k * k);
        var db0 = rng.Floats(co);
        var (_, rdw, rdb) = Conv2dReference.Backward(x, new float[dw0.Length], dy, n, ci, h, w, co, k, k, stride, pad);

        using var tx = Tensor.FromHost(device, new Shape(n, ci, h, w), x);
        using var tdy = Tensor.FromHost(device, new Shape(n, co, g.OH, g.OW), dy);
        using var tdw = Tensor.FromHost(device, new Shape(co, ci, k, k), dw0);
        using var tdb = Tensor.FromHost(device, new Shape(co, 1, 1, 1), db0);
        var ran = Conv2dKernels.For(device).BackwardWeights(g, tx.View, tdy.View, tdw.View, tdb.View, plan);

        Assert.Equal(!rows ? KernelBody.Cursor : co > 32 ? KernelBody.Run64 : KernelBody.RunShort, ran.Body);
        Assertions.Close(rdw.Select((v, i) => v + dw0[i]).ToArray(), tdw.ToHost(), what: $"{ran} (rows {rows}): backward-weights (accumulated)", seed: rng.Seed);
        Assertions.Close(rdb.Select((v, i) => v + db0[i]).ToArray(), tdb.ToHost(), what: $"{ran} (rows {rows}): bias grad (accumulated)", seed: rng.Seed);
    }

    /// <summary>
    /// The Direct forward on the GPU-shaped device against the double reference: several 16×32 tiles
    /// per image (the last partial both ways), channel blocks partly past Co, a window reaching past
    /// every edge, stride 2, K at the body's limit, with and without bias; y holds noise before, so
    /// every output must be written.
    /// </summary>
    [Theory]
    [InlineData(2, 3, 37, 35, 11, 3, 1, 1, true)]   // 2 × 2 tiles per image, 2 channel blocks (the second 3 wide)
    [InlineData(1, 3, 32, 32, 32, 3, 1, 1, true)]   // the recipe's first layer, one image
    [InlineData(3, 1, 40, 33, 5, 3, 2, 0, false)]   // stride 2, no padding, no bias: 19 × 16 outputs
    [InlineData(1, 7, 8, 40, 9, 3, 1, 1, true)]     // K = 63, a 7 × 18 × 34 window; 8-row images, 2 column tiles
    [InlineData(2, 1, 5, 3, 4, 5, 1, 2, false)]     // a 5×5 kernel on a 5 × 3 image: the window mostly padding
    public void DirectForwardMatchesReference(int n, int ci, int h, int w, int co, int k, int stride, int pad, bool bias)
    {
        var (device, plan) = _fx.On(gpu: true);
        var rng = new TestRandom();
        var g = new ConvGeometry(n, ci, h, w, co, k, k, stride, pad);
        var x = rng.Floats((long)n * ci * h * w);
        var wt = rng.Floats((long)co * ci * k * k);
        var b = bias ? rng.Floats(co) : new float[co];
        var expected = Conv2dReference.Forward(x, wt, b, n, ci, h, w, co, k, k, stride, pad, out _, out _);

        using var tx = Tensor.FromHost(device, new Shape(n, ci, h, w), x);
        using var tw = Tensor.FromHost(device, new Shape(co, ci, k, k), wt);
        using var tb = Tensor.FromHost(device, new Shape(co, 1, 1, 1), b);
        using var ty = Tensor.FromHost(device, new Shape(n, co, g.OH, g.OW), rng.Floats((long)n * co * g.OH * g.OW));
        var kernels = Conv2dKernels.For(device);
        using var copy = ConvWeightCopies.WrittenFor(kernels.ForwardPlan(g, plan), device, tw.View, g);
        var ran = kernels.Forward(g, tx.View, tw.View, copy?.View(0) ?? default, bias ? tb.View : default, ty.View, plan);

        Assert.Equal(KernelBody.Direct, ran.Body);
        Assertions.Close(expected, ty.ToHost(), what: $"Direct forward {n}×{ci}×{h}×{w} → {co}, {k}×{k} stride {stride} pad {pad} bias {bias}", seed: rng.Seed);
    }

    private static void ForwardAndBackward(string bodies, ComputeDevice device, DeviceFigures plan, int n, int ci, int h, int w, int co, int k, int stride, int pad)
    {
        var rng = new TestRandom();
        var g = new ConvGeometry(n, ci, h, w, co, k, k, stride, pad);
        var x = rng.Floats((long)n * ci * h * w);
        var wt = rng.Floats((long)co * ci * k * k);
        var b = rng.Floats(co);
        var dy = rng.Floats((long)n * co * g.OH * g.OW);
        var dx0 = rng.Floats(x.Length);
        var dw0 = rng.Floats(wt.Length);
        var db0 = rng.Floats(co);

        var expectedY = Conv2dReference.Forward(x, wt, b, n, ci, h, w, co, k, k, stride, pad, out _, out _);
        var (rdx, rdw, rdb) = Conv2dReference.Backward(x, wt, dy, n, ci, h, w, co, k, k, stride, pad);

        using var tx = Tensor.FromHost(device, new Shape(n, ci, h, w), x);
        using var tw = Tensor.FromHost(device, new Shape(co, ci, k, k), wt);
        using var tb = Tensor.FromHost(device, new Shape(co, 1, 1, 1), b);
        using var ty = Tensor.Allocate(device, new Shape(n, co, g.OH, g.OW), false);
        using var tdy = Tensor.FromHost(device, ty.Shape, dy);
        using var tdx = Tensor.FromHost(device, tx.Shape, dx0);
        using var tdw = Tensor.FromHost(device, tw.Shape, dw0);
        using var tdb = Tensor.FromHost(device, tb.Shape, db0);
        var kernels = Conv2dKernels.For(device);
        using var copy = ConvWeightCopies.WrittenFor(kernels.ForwardPlan(g, plan), device, tw.View, g);
        var ran = string.Join(' ', new[]
        {
            kernels.Forward(g, tx.View, tw.View, copy?.View(0) ?? default, tb.View, ty.View, plan),
            kernels.BackwardData(g, tdy.View, tw.View, tdx.View, plan),
            kernels.BackwardWeights(g, tx.View, tdy.View, tdw.View, tdb.View, plan),
        }.Select(p => p.Body));

        Assert.Equal(bodies, ran);

        Assertions.Close(expectedY, ty.ToHost(), what: $"{bodies}: forward", seed: rng.Seed);
        Assertions.Close(rdx, tdx.ToHost(), what: $"{bodies}: backward-data (overwrites dx)", seed: rng.Seed);
        Assertions.Close(rdw.Select((v, i) => v + dw0[i]).ToArray(), tdw.ToHost(), what: $"{bodies}: backward-weights (accumulated)", seed: rng.Seed);
        Assertions.Close(rdb.Select((v, i) => v + db0[i]).ToArray(), tdb.ToHost(), what: $"{bodies}: bias grad (accumulated)", seed: rng.Seed);
    }
}
