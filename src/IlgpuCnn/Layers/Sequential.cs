using IlgpuCnn.Autograd;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// Layers applied in order. A forward pass starts by writing the transposed kernels of its conv
/// layers (<see cref="ConvForwardCopies"/>: one launch, where their plans read them).
/// </summary>
public sealed class Sequential : ILayer, IDisposable
{
    private readonly List<ILayer> _layers;
    private readonly ConvForwardCopies? _copies;

    public Sequential(string name, IEnumerable<ILayer> layers)
    {
        Name = name;
        _layers = layers.ToList();
        Parameters = _layers.SelectMany(l => l.Parameters).ToList();
        _copies = ConvForwardCopies.Of(_layers);
    }

    public string Name { get; }

    public IReadOnlyList<ILayer> Layers => _layers;

    public IReadOnlyList<Parameter> Parameters { get; }

    public Shape OutputShape(Shape input)
    {
        foreach (var layer in _layers)
        {
            input = layer.OutputShape(input);
        }

        return input;
    }

    public Tensor Forward(Tensor x, GradientTape tape)
    {
        WriteConvCopies(x.Shape);
        foreach (var layer in _layers)
        {
            x = layer.Forward(x, tape);
        }

        return x;
    }

    /// <summary>The first launch of a forward pass on <paramref name="input"/> (see <see cref="ConvForwardCopies.Write"/>); <see cref="Forward"/> runs it, a caller that runs the layers one by one runs it first.</summary>
    public void WriteConvCopies(Shape input) => _copies?.Write(_layers, input);

    /// <summary>A container records nothing itself: its layers did.</summary>
    public void Backward()
    {
    }

    public void Dispose() => _copies?.Dispose();
}
