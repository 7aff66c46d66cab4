using IlgpuCnn.Autograd;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>Layers applied in order.</summary>
public sealed class Sequential : ILayer
{
    private readonly List<ILayer> _layers;

    public Sequential(string name, IEnumerable<ILayer> layers)
    {
        Name = name;
        _layers = layers.ToList();
        Parameters = _layers.SelectMany(l => l.Parameters).ToList();
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
        foreach (var layer in _layers)
        {
            x = layer.Forward(x, tape);
        }

        return x;
    }

    /// <summary>A container records nothing itself: its layers did.</summary>
    public void Backward()
    {
    }
}
