namespace IlgpuCnn.Kernels;

/// <summary>The scalars of one AdamW step (host-computed).</summary>
public readonly struct AdamWStep
{
    public AdamWStep(double lr, double weightDecay, double beta1, double beta2, double epsilon, long t)
    {
        DecayRate = (float)(lr * weightDecay);
        Alpha = (float)(lr * Math.Sqrt(1 - Math.Pow(beta2, t)) / (1 - Math.Pow(beta1, t)));
        Beta1 = (float)beta1;
        Beta2 = (float)beta2;
        Epsilon = (float)epsilon;
    }

    /// <summary>lr·wd.</summary>
    public readonly float DecayRate;

    /// <summary>lr·√(1−β2ᵗ)/(1−β1ᵗ).</summary>
    public readonly float Alpha;
    public readonly float Beta1;
    public readonly float Beta2;
    public readonly float Epsilon;
}
