using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// The transposed kernels (<see cref="ConvWeightCopies"/>) of a network's conv layers that share
/// one <see cref="ParameterStore"/>: <see cref="Write"/>, at the start of each forward pass of the
/// network, writes all their copies in ONE launch when any of them will read its copy in this pass
/// (its forward plan at this input is a GEMM or Direct body: a GPU's plan), and hands each layer its view.
/// Where none does (the CPU accelerator's Simple bodies, PoCL's Simd bodies) nothing is launched
/// and nothing allocated; the copies are allocated by the first pass that needs them, once.
/// </summary>
public sealed class ConvForwardCopies : IDisposable
{
    private readonly IReadOnlyList<Conv2d> _convs;
    private ConvWeightCopies? _copies;

    /// <summary>The copies of <paramref name="convs"/>, which must share one store.</summary>
    public ConvForwardCopies(IReadOnlyList<Conv2d> convs)
    {
        if (convs.Count == 0 || convs.Any(c => !ReferenceEquals(c.Home.Store, convs[0].Home.Store)))
        {
            throw new ArgumentException("a network's conv weight copies need at least one conv layer, all with their kernels in one parameter store", nameof(convs));
        }

        _convs = convs;
    }

    /// <summary>The copies of the conv layers of <paramref name="layers"/> whose kernels are in the first conv layer's store (null: no conv layer).</summary>
    public static ConvForwardCopies? Of(IEnumerable<ILayer> layers)
    {
        var convs = layers.OfType<Conv2d>().ToList();
        return convs.Count == 0 ? null : new ConvForwardCopies(convs.Where(c => ReferenceEquals(c.Home.Store, convs[0].Home.Store)).ToList());
    }

    /// <summary>The conv layers whose copies this writes.</summary>
    public IReadOnlyList<Conv2d> Layers => _convs;

    /// <summary>Before a forward pass of <paramref name="layers"/> (run in order) on <paramref name="input"/>: writes every member's copy in one launch if any member reads its copy in this pass, and hands them over.</summary>
    public void Write(IReadOnlyList<ILayer> layers, Shape input)
    {
        if (!AnyReads(layers, input))
        {
            return;
        }

        var (device, store) = _convs[0].Home;
        _copies ??= new ConvWeightCopies(device, store.Values, _convs.Select(c => c.Slot).ToList());
        _copies.Refresh();
        for (int i = 0; i < _convs.Count; i++)
        {
            _convs[i].UseCopy(_copies.View(i));
        }
    }

    public void Dispose() => _copies?.Dispose();

    /// <summary>Whether a member's forward in a pass of <paramref name="layers"/> on <paramref name="input"/> reads its copy (the layers' shapes walked on the host).</summary>
    private bool AnyReads(IReadOnlyList<ILayer> layers, Shape input)
    {
        foreach (var layer in layers)
        {
            if (layer is Conv2d conv && _convs.Contains(conv) && conv.ForwardReadsCopy(input))
            {
                return true;
            }

            input = layer.OutputShape(input);
        }

        return false;
    }
}
