using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// The per-channel walks of the batch-norm kernels read four values per loop trip
/// (<see cref="ChannelCursor4"/>): they must visit exactly the positions of the plain walk, in its
/// order (so sums stay bit-identical on the CPU path), and the GPU-shaped kernels must agree with
/// the CPU ones where every lane of the four is used, the fused ReLU included.
/// </summary>
[Collection(DeviceCollection.Name)]
public class ChannelCursor4Tests
{
    private readonly DeviceFixture _fx;

    public ChannelCursor4Tests(DeviceFixture fx) => _fx = fx;

    /// <summary>A slice [lo, hi) of the walk (ChannelSlices): exactly its positions, in order, four at a time.</summary>
    [Theory]
    [InlineData(15, 3, 143, 32, 8)]
    [InlineData(16, 2, 144, 32, 9)]
    [InlineData(64, 2, 1024, 1024, 8)]
    public void ASliceVisitsItsPositionsInOrder(int n, int c, int hw, int step, int slices)
    {
        var d = new BatchNormDims(n, c, hw, 1e-3f, 0.99f);
        int m = n * hw, length = (m + slices - 1) / slices;
        for (int s = 0; s < slices; s++)
        {
            int lo = s * length, hi = Math.Min(m, lo + length);
            for (int start = 0; start < Math.Min(step, 5); start++)
            {
                var four = new List<int>();
                for (var q = new ChannelCursor4(d, c - 1, lo + start, step, hi); q.Valid; q.Next())
                {
                    four.AddRange(new[] { q.A, q.B, q.C, q.D }.Where(x => x.Valid).Select(x => x.Offset));
                }

                var expected = Enumerable.Range(lo, hi - lo).Where(i => (i - lo) % step == start).Select(i => ((i / hw * c) + c - 1) * hw + (i % hw)).ToList();
                Assert.Equal(expected, four);
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 5, 7, 1)]
    [InlineData(5, 2, 42, 32)]
    [InlineData(64, 3, 1024, 1024)]
    [InlineData(9, 4, 16, 1024)]
    [InlineData(2, 3, 1, 5)]
    public void FourAtATimeVisitsThePlainWalkInOrder(int n, int c, int hw, int step)
    {
        var d = new BatchNormDims(n, c, hw, 1e-3f, 0.99f);
        for (int ch = 0; ch < c; ch++)
        {
            for (int start = 0; start < Math.Min(step, 40); start++)
            {
                var plain = new List<int>();
                for (var it = new ChannelCursor(d, ch, start, step, n * hw); it.Valid; it.Next())
                {
                    plain.Add(it.Offset);
                }

                var four = new List<int>();
                for (var q = new ChannelCursor4(d, ch, start, step); q.Valid; q.Next())
                {
                    four.Add(q.A.Offset);
                    if (q.B.Valid)
                    {
                        four.Add(q.B.Offset);
                    }

                    if (q.C.Valid)
                    {
                        four.Add(q.C.Offset);
                    }

                    if (q.D.Valid)
                    {
                        four.Add(q.D.Offset);
                    }
                }

                var expected = Enumerable.Range(0, n * hw).Where(i => i % step == start % step && i >= start).Select(i => ((i / hw * c) + ch) * hw + (i % hw)).ToList();
                Assert.Equal(expected, plain);
                Assert.Equal(plain, four);
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GpuShapedWalksMatchTheCpuKernels(bool relu)
    {
        // 210 values per channel: groups of 32 threads take two trips of four, the last one partial.
        var rng = new TestRandom();
        const int n = 5, c = 2, hw = 42;
        var d = new BatchNormDims(n, c, hw, 1e-3f, 0.99f, relu);
        var shape = new Shape(n, c, 6, 7);
        var inputs = new[]
        {
            rng.Floats(shape.Length, -2f, 3f), rng.Floats(c, 0.5f, 1.5f), rng.Floats(c), rng.Floats(c), rng.Floats(c, 0.5f, 2f),
            rng.Floats(shape.Length), rng.Floats(c), rng.Floats(c),
        };
        var cpu = Run(_fx.Device, d, shape, inputs);
        var gpu = Run(_fx.GpuShaped, d, shape, inputs);
        string[] names = ["y", "mean", "invstd", "moving mean", "moving var", "dx", "dgamma", "dbeta"];
        for (int i = 0; i < names.Length; i++)
        {
            Assertions.Close(cpu[i].Select(v => (double)v).ToArray(), gpu[i], what: $"bn {names[i]} (relu {relu}): GPU-shaped vs CPU", seed: rng.Seed);
        }
    }

    private static float[][] Run(IlgpuCnn.Device.ComputeDevice device, BatchNormDims d, Shape shape, float[][] v)
    {
        var ch = new Shape(d.C, 1, 1, 1);
        using var x = Tensor.FromHost(device, shape, v[0]);
        using var gamma = Tensor.FromHost(device, ch, v[1]);
        using var beta = Tensor.FromHost(device, ch, v[2]);
        using var mm = Tensor.FromHost(device, ch, v[3]);
        using var mv = Tensor.FromHost(device, ch, v[4]);
        using var mean = Tensor.Allocate(device, ch, false);
        using var invstd = Tensor.Allocate(device, ch, false);
        using var sums = Tensor.Allocate(device, new Shape(2 * d.C, 1, 1, 1), false);
        using var y = Tensor.Allocate(device, shape, false);
        using var dy = Tensor.FromHost(device, shape, v[5]);
        using var dx = Tensor.Allocate(device, shape, false);
        using var dg = Tensor.FromHost(device, ch, v[6]);
        using var db = Tensor.FromHost(device, ch, v[7]);
        var p = new BatchNormBuffers
        {
            X = x.View, Y = y.View, Gamma = gamma.View, Beta = beta.View, Mean = mean.View, InvStd = invstd.View,
            MovingMean = mm.View, MovingVar = mv.View, Dy = dy.View, Dx = dx.View, DGamma = dg.View, DBeta = db.View, Sums = sums.View,
        };
        var k = BatchNormKernels.For(device);
        k.ForwardTraining(d, p);
        k.Backward(d, p);
        return [y.ToHost(), mean.ToHost(), invstd.ToHost(), mm.ToHost(), mv.ToHost(), dx.ToHost(), dg.ToHost(), db.ToHost()];
    }
}
