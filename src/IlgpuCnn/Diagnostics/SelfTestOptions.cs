namespace IlgpuCnn.Diagnostics;

/// <summary>How much a self-test runs: the seeds of its random inputs and the model-step check's size.</summary>
public sealed record SelfTestOptions
{
    /// <summary>Each check runs once per seed (fresh random inputs each time).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [11, 12, 13];

    /// <summary>Training steps of the width-0.25 model compared one by one.</summary>
    public int ModelSteps { get; init; } = 3;

    /// <summary>Images per model step (odd, so no launch divides it evenly).</summary>
    public int ModelBatch { get; init; } = 3;

    /// <summary>Height and width of the model step's images: 32 (CIFAR-10); 16 on the CPU simulator, where the tiled kernels pay milliseconds per barrier (the network is convolutional up to the global pooling, so both run the same layers).</summary>
    public int ModelImageSize { get; init; } = 32;

    /// <summary>
    /// The options for a device: the full form on a GPU (three seeds, three model steps), a lighter
    /// one on the GPU-shaped CPU simulator (two seeds, two steps of two 16×16 images: about a
    /// minute there); <paramref name="quick"/>: one seed and one model step (what <c>train</c> runs
    /// on CUDA before its first epoch, about a second).
    /// </summary>
    public static SelfTestOptions For(bool simulator, bool quick) => (simulator, quick) switch
    {
        (false, false) => new(),
        (false, true) => new() { Seeds = [11], ModelSteps = 1 },
        (true, false) => new() { Seeds = [11, 12], ModelSteps = 2, ModelBatch = 2, ModelImageSize = 16 },
        (true, true) => new() { Seeds = [11], ModelSteps = 1, ModelBatch = 2, ModelImageSize = 16 },
    };
}
