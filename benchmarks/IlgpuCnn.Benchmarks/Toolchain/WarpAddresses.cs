using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Benchmarks.Toolchain;

/// <summary>Cache lines (128 bytes) one warp-wide global load touches, averaged over the sampled loads.</summary>
/// <param name="Mean">mean distinct lines per warp load (loads with no live lane not counted)</param>
/// <param name="Max">the most lines any sampled warp load touched</param>
/// <param name="Loads">warp loads sampled</param>
public sealed record WarpLines(double Mean, int Max, int Loads)
{
    public static readonly WarpLines Empty = new(0, 0, 0);
}

/// <summary>
/// A small address simulation of one warp staging a GEMM operand, run through the operand's own
/// index code on the CPU accelerator: the operand reads a buffer whose element i holds i + 2, so
/// each value it returns names the element it loaded (0: padding, not loaded; 1: a ones row or
/// column, not loaded). <see cref="Runs"/> and <see cref="Cursor"/>: a warp's 32 lanes stage 32
/// consecutive rows of A (or columns of B) at the same k — how <see cref="RunGemm"/>'s two tiles
/// (<see cref="RunPlace.Rows"/>) and <see cref="BlockedGemm"/> assign threads; <see cref="RunsAlongK"/>:
/// each lane where the kernel's own placement code (<see cref="RunPlace.AlongK"/> for the 128
/// threads of the 64-row tile, <see cref="RunPlace.AlongKShort"/> for the 64 of the 32-row tile) puts thread t (<see cref="SmallGemm"/> places its lanes itself: <see cref="Dense"/>). Each of a
/// lane's loads (8 per run, 1 per cursor step) is one warp-wide load instruction (an along-k run's
/// rows outside the matrix re-read its last row: counted, on a line already counted). The buffer's base is taken as 128-byte aligned (CUDA allocations are 256-byte aligned).
/// </summary>
public sealed class WarpAddresses : IDisposable
{
    public const int WarpSize = 32;
    public const int LineBytes = 128;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _buffer;

    /// <summary>An index-valued buffer of <paramref name="length"/> floats (at most 2²⁴ − 2, so every index is exact).</summary>
    public WarpAddresses(ComputeDevice device, long length)
    {
        if (length > (1 << 24) - 2)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"an index-valued buffer holds at most 2^24 - 2 floats exactly, not {length}");
        }

        var values = new float[Math.Max(1, length)];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = i + 2;
        }

        _buffer = device.Accelerator.Allocate1D(values);
    }

    /// <summary>The index-valued view the simulated operand reads.</summary>
    public ArrayView<float> View => _buffer.View;

    /// <summary>Lines per warp load of an <see cref="IKRun"/> operand: warps at rows <paramref name="firsts"/>, runs at k in <paramref name="ks"/>, rows below <paramref name="limit"/> live.</summary>
    public static WarpLines Runs<T>(T operand, IEnumerable<int> firsts, IEnumerable<int> ks, int limit)
        where T : struct, IKRun
    {
        var loads = new List<int>();
        foreach (int first in firsts)
        {
            foreach (int k in ks)
            {
                var lanes = Lanes(first, limit).Select(lane => RunOf(operand, lane, k)).ToList();
                for (int r = 0; r < RunGemm.RunLength; r++)
                {
                    loads.Add(Lines(lanes.Select(v => v[r])));
                }
            }
        }

        return Summary(loads);
    }

    /// <summary>Lines per warp load of an <see cref="IKRun"/> operand staged along k: every warp of the <paramref name="threads"/> that <paramref name="place"/> places, in the tiles at rows <paramref name="tiles"/>, K steps at <paramref name="ks"/>, rows below <paramref name="limit"/> live.</summary>
    public static WarpLines RunsAlongK<T>(T operand, IEnumerable<int> tiles, IEnumerable<int> ks, int limit, Func<int, RunPlace> place, int threads)
        where T : struct, IKRun
    {
        var loads = new List<int>();
        foreach (int m0 in tiles)
        {
            foreach (int k0 in ks)
            {
                for (int w = 0; w < threads / WarpSize; w++)
                {
                    var lanes = Enumerable.Range(w * WarpSize, WarpSize).Select(t => AlongKRunOf(operand, place(t), m0, k0, limit)).ToList();
                    for (int r = 0; r < RunGemm.RunLength; r++)
                    {
                        loads.Add(Lines(lanes.Select(v => v[r])));
                    }
                }
            }
        }

        return Summary(loads);
    }

    /// <summary>Lines per warp load of an <see cref="IKCursor"/> operand: each of <paramref name="steps"/> k steps from each k in <paramref name="ks"/> is one load.</summary>
    public static WarpLines Cursor<T>(T operand, IEnumerable<int> firsts, IEnumerable<int> ks, int limit, int steps)
        where T : struct, IKCursor
    {
        var loads = new List<int>();
        foreach (int first in firsts)
        {
            foreach (int k in ks)
            {
                var lanes = Lanes(first, limit).Select(lane => CursorOf(operand, lane, k, steps)).ToList();
                for (int r = 0; r < steps; r++)
                {
                    loads.Add(Lines(lanes.Select(v => v[r])));
                }
            }
        }

        return Summary(loads);
    }

    /// <summary>
    /// Lines per warp load of a <see cref="DenseOperand"/> staged by <see cref="SmallGemm"/>: every
    /// warp of a group, both of a thread's values, tiles starting at <paramref name="firsts"/>, K steps
    /// at <paramref name="ks"/> (the operand's own lane placement, not the 32-rows-per-warp rule above).
    /// </summary>
    public static WarpLines Dense(DenseOperand operand, IEnumerable<int> firsts, IEnumerable<int> ks, int kEnd)
    {
        var loads = new List<int>();
        foreach (int first in firsts)
        {
            foreach (int k in ks)
            {
                for (int warp = 0; warp < SmallGemm.GroupSize / WarpSize; warp++)
                {
                    for (int h = 0; h < 2; h++)
                    {
                        loads.Add(Lines(Enumerable.Range(warp * WarpSize, WarpSize).Select(t => DenseOf(operand, first, k, kEnd, t, h))));
                    }
                }
            }
        }

        return Summary(loads);
    }

    private static float DenseOf(DenseOperand operand, int first, int k, int kEnd, int t, int h)
    {
        var (index, dk) = operand.Place(t, h);
        return operand.Load(first + index, k + dk, kEnd);
    }

    /// <summary>Distinct 128-byte lines among the values one warp load returned (elements named by value − 2).</summary>
    public static int Lines(IEnumerable<float> values) =>
        values.Where(v => v >= 2).Select(v => ((long)v - 2) * sizeof(float) / LineBytes).Distinct().Count();

    public void Dispose() => _buffer.Dispose();

    private static IEnumerable<int> Lanes(int first, int limit) => Enumerable.Range(first, WarpSize).Where(i => i < limit);

    private static float[] RunOf<T>(T operand, int index, int k)
        where T : struct, IKRun
    {
        operand.Start(index, k);
        var s = default(Staged8);
        operand.Load(ref s, RunGemm.RunLength, RunGemm.TileK);
        return [s.V0, s.V1, s.V2, s.V3, s.V4, s.V5, s.V6, s.V7];
    }

    /// <summary>The values thread <paramref name="place"/> loads in the K step at <paramref name="k0"/> of the tile at row <paramref name="m0"/> (none when its first row is outside the matrix).</summary>
    private static float[] AlongKRunOf<T>(T operand, RunPlace place, int m0, int k0, int limit)
        where T : struct, IKRun
    {
        int live = place.Live(limit - m0);
        if (live <= 0)
        {
            return new float[RunGemm.RunLength];
        }

        operand.Start(m0 + place.Index, k0 + place.K);
        var s = default(Staged8);
        operand.Load(ref s, live, RunGemm.TileK);
        return [s.V0, s.V1, s.V2, s.V3, s.V4, s.V5, s.V6, s.V7];
    }

    private static float[] CursorOf<T>(T operand, int index, int k, int steps)
        where T : struct, IKCursor
    {
        operand.Start(index, k);
        var v = new float[steps];
        for (int i = 0; i < steps; i++)
        {
            v[i] = operand.Next();
        }

        return v;
    }

    private static WarpLines Summary(List<int> loads)
    {
        var live = loads.Where(l => l > 0).ToList();
        return live.Count == 0 ? WarpLines.Empty : new WarpLines(live.Average(), live.Max(), live.Count);
    }
}
