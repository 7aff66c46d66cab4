namespace IlgpuCnn.Device;

/// <summary>
/// Counter-based random numbers: a pure function of (seed, stream, counter), so the CPU
/// accelerator, a GPU and host code draw the same values for the same element in any order.
/// The mixer is a 32-bit avalanche hash (lowbias32-style) applied to the three words in turn.
/// Usable inside ILGPU kernels (no state, no allocation).
/// </summary>
public static class CounterRng
{
    /// <summary>Streams keep unrelated uses of one seed apart.</summary>
    public const uint StreamDropout = 0x1000_0000u;
    public const uint StreamAugment = 0x2000_0000u;
    public const uint StreamShuffle = 0x3000_0000u;
    public const uint StreamInit = 0x4000_0000u;

    private static uint Mix(uint x)
    {
        x ^= x >> 16;
        x *= 0x7feb352du;
        x ^= x >> 15;
        x *= 0x846ca68bu;
        x ^= x >> 16;
        return x;
    }

    /// <summary>A 32-bit hash of (seed, stream, counter).</summary>
    public static uint Hash(uint seed, uint stream, uint counter)
    {
        uint h = Mix(seed ^ 0x9e3779b9u);
        h = Mix(h ^ stream);
        h = Mix(h ^ (counter * 0x85ebca6bu + 0x632be5abu));
        return h;
    }

    /// <summary>Uniform float in [0, 1) from the top 24 bits of the hash.</summary>
    public static float Uniform(uint seed, uint stream, uint counter) =>
        (Hash(seed, stream, counter) >> 8) * (1.0f / 16777216.0f);
}
