using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Device;

namespace IlgpuCnn.Kernels;

/// <summary>One conv layer's weights w[Co, Ci, KH, KW] at <paramref name="Offset"/> of a <see cref="ConvWeightCopies"/> source; <paramref name="Taps"/> = KH·KW.</summary>
public readonly record struct ConvWeightSlot(long Offset, int Co, int Ci, int Taps)
{
    /// <summary>Weights of the layer.</summary>
    public long Count => (long)Co * Ci * Taps;
}

/// <summary>
/// The transposed copies of conv layers' weights that the forward GEMM bodies (Cursor, Run64,
/// Run32) and Direct (<see cref="KernelPlan.ReadsWeightsCopy"/>) read, the GEMMs as B: wT[(tap·Ci + ci)·Co + co] =
/// w[co, ci, tap], the GEMM's K×N row-major in the tap-major k of <see cref="ConvTapRun"/>, so a
/// warp's load of 32 output channels at one k is 32 consecutive floats
/// (<see cref="ForwardWeightsRun"/>, <see cref="ForwardWeightsCursor"/>) instead of 32 cache
/// lines Ci·KH·KW floats apart. <see cref="Refresh"/> writes every slot's copy in ONE launch
/// (<see cref="Conv2dKernels.TransposeWeightsKernel"/>); a network runs it at the start of every
/// forward pass, so a copy is never older than the weights (AdamW, initialisation, a checkpoint
/// or any direct write). The buffers are allocated once, here.
/// </summary>
public sealed class ConvWeightCopies : IDisposable
{
    /// <summary>Longs per slot in the device table: source offset, copy offset, Co, Ci, taps.</summary>
    public const int TableRow = 5;

    private readonly Conv2dKernels _kernels;
    private readonly ArrayView<float> _source;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _copy;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> _table;
    private readonly long[] _starts;
    private readonly long[] _counts;

    /// <summary>Copies of the weights of <paramref name="slots"/>, each read from <paramref name="source"/> at its offset.</summary>
    public ConvWeightCopies(ComputeDevice device, ArrayView<float> source, IReadOnlyList<ConvWeightSlot> slots)
    {
        if (slots.Count == 0 || slots.Any(s => s.Offset < 0 || s.Count <= 0 || s.Count > int.MaxValue || s.Offset + s.Count > source.Length))
        {
            throw new ArgumentException($"every conv weight slot must lie inside the {source.Length}-float source and hold 1 to 2^31 - 1 weights (got {string.Join(", ", slots)})", nameof(slots));
        }

        _kernels = Conv2dKernels.For(device);
        _source = source;
        _counts = slots.Select(s => s.Count).ToArray();
        _starts = new long[slots.Count];
        var table = new long[slots.Count * TableRow];
        long total = 0;
        for (int i = 0; i < slots.Count; i++)
        {
            _starts[i] = total;
            (table[i * TableRow], table[(i * TableRow) + 1]) = (slots[i].Offset, total);
            (table[(i * TableRow) + 2], table[(i * TableRow) + 3], table[(i * TableRow) + 4]) = (slots[i].Co, slots[i].Ci, slots[i].Taps);
            total += _counts[i];
        }

        _copy = device.Accelerator.Allocate1D<float>(total);
        _table = device.Accelerator.Allocate1D(table);
        Total = total;
    }

    /// <summary>The copy of one layer's weights (one slot).</summary>
    public static ConvWeightCopies Of(ComputeDevice device, ArrayView<float> w, ConvGeometry g) =>
        new(device, w, [new ConvWeightSlot(0, g.Co, g.Ci, g.KH * g.KW)]);

    /// <summary>For a single forward by <paramref name="plan"/> outside a network: one layer's copy, written, when the plan reads it; else null (the body reads w).</summary>
    public static ConvWeightCopies? WrittenFor(KernelPlan plan, ComputeDevice device, ArrayView<float> w, ConvGeometry g)
    {
        if (!plan.ReadsWeightsCopy)
        {
            return null;
        }

        var copies = Of(device, w, g);
        copies.Refresh();
        return copies;
    }

    /// <summary>Floats of all copies together.</summary>
    public long Total { get; }

    /// <summary>Slot <paramref name="slot"/>'s copy (valid after a <see cref="Refresh"/> since its weights last changed).</summary>
    public ArrayView<float> View(int slot) => _copy.View.SubView(_starts[slot], _counts[slot]);

    /// <summary>Writes every slot's copy from the source's current weights: one launch.</summary>
    public void Refresh() => _kernels.TransposeWeights(_source, _copy.View, _table.View, _counts.Length);

    public void Dispose()
    {
        _copy.Dispose();
        _table.Dispose();
    }
}
