namespace IlgpuCnn.Kernels;

/// <summary>
/// The scalars of one AdamW step, computed on the host in double and passed as floats (as Keras
/// computes <c>1 − β</c> in double and casts: in float32 <c>1f − 0.999f</c> is 0.99987e-3, not 1e-3).
/// </summary>
public readonly struct AdamWStep
{
    public AdamWStep(double lr, double weightDecay, double beta1, double beta2, double epsilon, long t)
    {
        DecayRate = (float)(lr * weightDecay);
        Alpha = (float)(lr * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t)));
        OneMinusBeta1 = (float)(1 - beta1);
        OneMinusBeta2 = (float)(1 - beta2);
        Epsilon = (float)epsilon;
    }

    /// <summary>lr·wd.</summary>
    public readonly float DecayRate;

    /// <summary>lr·√(1−β2ᵗ)/(1−β1ᵗ).</summary>
    public readonly float Alpha;

    /// <summary>1 − β1.</summary>
    public readonly float OneMinusBeta1;

    /// <summary>1 − β2.</summary>
    public readonly float OneMinusBeta2;

    public readonly float Epsilon;
}
