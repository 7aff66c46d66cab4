using ILGPU.Runtime;
using IlgpuCnn.Kernels;

namespace IlgpuCnn.Tests.Kernels;

/// <summary>
/// The transposed conv weights the forward GEMM and Direct bodies read (<see cref="ConvWeightCopies"/>):
/// every slot of one source, in one launch, against a plain host transpose.
/// </summary>
[Collection(DeviceCollection.Name)]
public class ConvWeightCopiesTests
{
    private readonly DeviceFixture _fx;

    public ConvWeightCopiesTests(DeviceFixture fx) => _fx = fx;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EverySlotIsTheHostTransposeAndFollowsTheSource(bool gpuShaped)
    {
        var (device, _) = _fx.On(gpuShaped);
        var rng = new TestRandom();
        int[] taps = [1, 9, 25, 4];
        var slots = new List<ConvWeightSlot>();
        long at = rng.Next(0, 7);
        for (int i = 0; i < 4; i++)
        {
            // odd sizes, a gap of unrelated values between slots (as a conv's bias lies between two kernels)
            var slot = new ConvWeightSlot(at, rng.Next(1, 41), rng.Next(1, 14), taps[i]);
            slots.Add(slot);
            at += slot.Count + rng.Next(0, 9);
        }

        var source = rng.Floats(at + rng.Next(0, 5));
        using var buffer = device.Accelerator.Allocate1D(source);
        using var copies = new ConvWeightCopies(device, buffer.View, slots);
        copies.Refresh();
        Check(copies, slots, source, rng.Seed);

        // New weights (an optimizer step, a checkpoint): the next refresh copies them.
        source = rng.Floats(source.Length);
        buffer.View.CopyFromCPU(source);
        copies.Refresh();
        Check(copies, slots, source, rng.Seed);
        Assert.Equal(slots.Sum(s => s.Count), copies.Total);
    }

    [Fact]
    public void ASlotOutsideTheSourceIsRefused()
    {
        using var buffer = _fx.Device.Accelerator.Allocate1D<float>(100);
        var e = Assert.Throws<ArgumentException>(() => new ConvWeightCopies(_fx.Device, buffer.View, [new ConvWeightSlot(50, 4, 3, 9)]));
        Assert.Contains("inside the 100-float source", e.Message, StringComparison.Ordinal);
    }

    private static void Check(ConvWeightCopies copies, List<ConvWeightSlot> slots, float[] source, int seed)
    {
        for (int s = 0; s < slots.Count; s++)
        {
            var (offset, co, ci, taps) = slots[s];
            var expected = new float[slots[s].Count];
            for (int c = 0; c < co; c++)
            for (int channel = 0; channel < ci; channel++)
            for (int tap = 0; tap < taps; tap++)
            {
                expected[(((tap * ci) + channel) * co) + c] = source[offset + (((c * ci) + channel) * taps) + tap];
            }

            // A copy is exact: every value moved, none computed.
            var actual = new float[expected.Length];
            copies.View(s).CopyToCPU(actual);
            Assert.True(expected.SequenceEqual(actual), $"slot {s} ({co}×{ci}×{taps}) is not the transpose of its weights (seed {seed})");
        }
    }
}
