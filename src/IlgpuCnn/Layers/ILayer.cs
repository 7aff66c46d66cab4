using IlgpuCnn.Autograd;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Layers;

/// <summary>
/// A layer: <see cref="Forward"/> writes its output (a buffer it owns, sized for the largest batch
/// seen) and records itself on the tape when training; its <see cref="IBackward.Backward"/>
/// writes (=) its input's gradient and accumulates (+=) into its parameters' gradients.
/// </summary>
public interface ILayer : IBackward
{
    /// <summary>Name used in the summary and as the checkpoint prefix, e.g. <c>block1.conv1</c>.</summary>
    string Name { get; }

    /// <summary>Output shape for an input shape (validates the input).</summary>
    Shape OutputShape(Shape input);

    /// <summary>Parameters this layer registered (trainable and not).</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    Tensor Forward(Tensor x, GradientTape tape);
}
