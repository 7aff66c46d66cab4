using IlgpuCnn.Device;

namespace IlgpuCnn.Data;

/// <summary>
/// The training order of an epoch: a permutation of 0..count−1 that is a pure function of
/// (seed, epoch), made by Fisher–Yates from the identity with <see cref="CounterRng"/>
/// (stream <see cref="CounterRng.StreamShuffle"/>), so a resumed run shuffles the same way.
/// </summary>
public sealed class EpochShuffler
{
    private readonly uint _seed;

    public EpochShuffler(uint seed, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _seed = seed;
        Count = count;
    }

    public int Count { get; }

    /// <summary>Writes epoch <paramref name="epoch"/>'s order into <paramref name="order"/> (length Count), without allocating.</summary>
    public void Fill(int epoch, Span<int> order)
    {
        if (order.Length != Count)
        {
            throw new ArgumentException($"expected an order of length {Count}, but got {order.Length}.", nameof(order));
        }

        for (int i = 0; i < Count; i++)
        {
            order[i] = i;
        }

        uint epochKey = CounterRng.Hash(_seed, CounterRng.StreamShuffle, (uint)epoch);
        for (int i = Count - 1; i > 0; i--)
        {
            // Unbiased enough: j = floor(hash · (i+1) / 2^32) (Lemire's multiply-shift).
            uint h = CounterRng.Hash(epochKey, CounterRng.StreamShuffle, (uint)i);
            int j = (int)(((ulong)h * (ulong)(i + 1)) >> 32);
            (order[i], order[j]) = (order[j], order[i]);
        }
    }

    /// <summary>Epoch <paramref name="epoch"/>'s order as a new array.</summary>
    public int[] Permutation(int epoch)
    {
        var order = new int[Count];
        Fill(epoch, order);
        return order;
    }
}
