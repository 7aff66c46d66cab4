using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Training;

/// <summary>
/// AdamW as Keras 3 applies it (<see cref="AdamWOptions"/>: weight decay on every trainable
/// variable, decoupled: w −= lr·wd·w before the Adam step). State: the step counter here, the
/// moments beside the parameters in the <see cref="ParameterStore"/>. One launch per step.
/// </summary>
public sealed class AdamW
{
    private readonly AdamWKernels _kernels;
    private readonly ParameterStore _store;

    public AdamW(ComputeDevice device, ParameterStore store, AdamWOptions? options = null)
    {
        Options = options ?? new AdamWOptions();
        Options.Validate();
        _kernels = AdamWKernels.For(device);
        _store = store;
        LearningRate = Options.LearningRate;
    }

    public AdamWOptions Options { get; }

    /// <summary>Current learning rate (ReduceLROnPlateau changes it between epochs).</summary>
    public double LearningRate { get; set; }

    /// <summary>Updates taken so far (Keras' <c>iterations</c>).</summary>
    public long Iterations { get; set; }

    /// <summary>Applies the gradients in the store to every trainable parameter.</summary>
    public void Step()
    {
        Iterations++;
        var o = Options;
        var s = new AdamWStep(LearningRate, o.WeightDecay, o.Beta1, o.Beta2, o.Epsilon, Iterations);
        long n = _store.TrainableCount;
        _kernels.Step(s, _store.Values.SubView(0, n), _store.Grads.SubView(0, n), _store.FirstMoments.SubView(0, n), _store.SecondMoments.SubView(0, n));
    }
}
