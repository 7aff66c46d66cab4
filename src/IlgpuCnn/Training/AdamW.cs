using IlgpuCnn.Device;
using IlgpuCnn.Kernels;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Training;

/// <summary>
/// AdamW as Keras 3 applies it (lr 1e-3, β1 0.9, β2 0.999, ε 1e-7, weight decay 0.003 on every
/// trainable variable, decoupled: w −= lr·wd·w before the Adam step). State: the step counter
/// here, the moments beside the parameters in the <see cref="ParameterStore"/>. One launch per step.
/// </summary>
public sealed class AdamW
{
    private readonly AdamWKernels _kernels;
    private readonly ParameterStore _store;

    public AdamW(ComputeDevice device, ParameterStore store, double learningRate = 1e-3, double weightDecay = 0.003, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate))
        {
            throw new UserError($"The learning rate must be a positive number, but got {learningRate}.");
        }

        if (!(weightDecay >= 0))
        {
            throw new UserError($"The weight decay must be zero or positive, but got {weightDecay}.");
        }

        _kernels = AdamWKernels.For(device);
        _store = store;
        LearningRate = learningRate;
        WeightDecay = weightDecay;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Current learning rate (ReduceLROnPlateau changes it between epochs).</summary>
    public double LearningRate { get; set; }

    public double WeightDecay { get; }

    public double Beta1 { get; }

    public double Beta2 { get; }

    public double Epsilon { get; }

    /// <summary>Updates taken so far (Keras' <c>iterations</c>).</summary>
    public long Iterations { get; set; }

    /// <summary>Applies the gradients in the store to every trainable parameter.</summary>
    public void Step()
    {
        Iterations++;
        var s = new AdamWStep(LearningRate, WeightDecay, Beta1, Beta2, Epsilon, Iterations);
        long n = _store.TrainableCount;
        _kernels.Step(s, _store.Values.SubView(0, n), _store.Grads.SubView(0, n), _store.FirstMoments.SubView(0, n), _store.SecondMoments.SubView(0, n));
    }
}
