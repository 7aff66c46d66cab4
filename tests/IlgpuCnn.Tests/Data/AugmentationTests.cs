using ILGPU;
using ILGPU.Runtime;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Tests.Reference;

namespace IlgpuCnn.Tests.Data;

[Collection(DeviceCollection.Name)]
public class AugmentationTests(DeviceFixture fixture)
{
    private const int F = CifarDataset.ImageFloats;
    private readonly ComputeDevice _device = fixture.Device;

    private static float[] RandomImages(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count * F).Select(_ => random.NextSingle()).ToArray();
    }

    private float[] RunWith(float[] images, params AugmentParams[] parameters) => GivenAugmentation.Run(_device, images, parameters);

    private float[] RunRandom(float[] images, int count, uint seed, int epoch, int step)
    {
        var accelerator = _device.Accelerator;
        using var source = accelerator.Allocate1D(images);
        using var destination = accelerator.Allocate1D<float>(images.Length);
        destination.MemSetToZero();
        Augmentation.For(_device).Apply(source.View, destination.View, count, seed, epoch, step);
        _device.Synchronize();
        return destination.GetAsArray1D();
    }

    [Fact]
    public void IdentityParametersGiveTheInputBackExactly()
    {
        var images = RandomImages(2, 1);
        Assert.Equal(images, RunWith(images, AugmentParams.Identity, AugmentParams.Identity));
    }

    [Fact]
    public void HorizontalFlipIsExact()
    {
        var images = RandomImages(1, 2);
        var output = RunWith(images, new AugmentParams(1, 0f, 1f));
        for (int ch = 0; ch < 3; ch++)
        {
            for (int y = 0; y < 32; y++)
            {
                for (int x = 0; x < 32; x++)
                {
                    Assert.Equal(images[(ch * 1024) + (y * 32) + (31 - x)], output[(ch * 1024) + (y * 32) + x]);
                }
            }
        }
    }

    [Fact]
    public void NinetyDegreeRotationMatchesTheReferenceAndAnExactRotation()
    {
        var images = RandomImages(1, 3);
        var p = new AugmentParams(0, MathF.PI / 2, 1f);
        var output = RunWith(images, p);
        var reference = AugmentReference.Apply(images, p);
        for (int i = 0; i < F; i++)
        {
            Assert.True(Math.Abs(output[i] - reference[i]) <= 1e-5 + (1e-4 * Math.Abs(reference[i])), $"element {i}: kernel {output[i]} vs reference {reference[i]}");
        }

        // Keras' rotation matrix maps output (x, y) to input (31 − y, x).
        for (int ch = 0; ch < 3; ch++)
        {
            for (int y = 0; y < 32; y++)
            {
                for (int x = 0; x < 32; x++)
                {
                    Assert.Equal(images[(ch * 1024) + (x * 32) + (31 - y)], output[(ch * 1024) + (y * 32) + x], 1e-4f);
                }
            }
        }
    }

    [Fact]
    public void ReflectFillFollowsDcbaAbcdDcba()
    {
        // Zoom 3 samples input coordinates 3·p − 31, all integers in −31..62: whole pixels of
        // the reflected extension, no interpolation.
        var extension = new List<int>();
        extension.AddRange(Enumerable.Range(0, 32).Reverse()); // d c b a  (indices −32..−1)
        extension.AddRange(Enumerable.Range(0, 32));           // a b c d  (0..31)
        extension.AddRange(Enumerable.Range(0, 32).Reverse()); // d c b a  (32..63)
        int Ext(int i) => extension[i + 32];

        var images = RandomImages(1, 4);
        var output = RunWith(images, new AugmentParams(0, 0f, 3f));
        for (int ch = 0; ch < 3; ch++)
        {
            for (int y = 0; y < 32; y++)
            {
                for (int x = 0; x < 32; x++)
                {
                    Assert.Equal(images[(ch * 1024) + (Ext((3 * y) - 31) * 32) + Ext((3 * x) - 31)], output[(ch * 1024) + (y * 32) + x]);
                }
            }
        }

        Assert.Equal(new[] { 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0, 0 }, Enumerable.Range(-4, 13).Select(i => Augmentation.Reflect(i, 4)));
    }

    [Fact]
    public void KernelMatchesTheReferenceOnRandomImagesAndParameters()
    {
        const int count = 16;
        const uint seed = 42;
        var images = RandomImages(count, 5);
        var output = RunRandom(images, count, seed, epoch: 3, step: 17);
        double worst = 0;
        for (int n = 0; n < count; n++)
        {
            var p = Augmentation.Draw(seed, 3, 17, n);
            var reference = AugmentReference.Apply(images.AsSpan(n * F, F), p);
            for (int i = 0; i < F; i++)
            {
                double error = Math.Abs(output[(n * F) + i] - reference[i]);
                worst = Math.Max(worst, error / Math.Max(Math.Abs(reference[i]), 0.1));
                Assert.True(error <= 1e-5 + (1e-4 * Math.Abs(reference[i])), $"image {n} ({p}) element {i}: kernel {output[(n * F) + i]} vs reference {reference[i]}");
            }
        }

        Assert.InRange(worst, 0, 1e-4);
    }

    [Fact]
    public void RandomAugmentationRepeatsForTheSameKeyAndChangesWithTheStep()
    {
        var images = RandomImages(4, 6);
        var a = RunRandom(images, 4, 0, 1, 2);
        var b = RunRandom(images, 4, 0, 1, 2);
        var c = RunRandom(images, 4, 0, 1, 3);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(images, a);
    }

    [Fact]
    public void OnlyTheFirstCountImagesAreWritten()
    {
        var images = RandomImages(3, 7);
        var output = RunRandom(images, 2, 0, 0, 0);
        Assert.All(output.Skip(2 * F), v => Assert.Equal(0f, v));
        Assert.Contains(output.Take(2 * F), v => v != 0f);
    }

    [Fact]
    public void DrawsCoverTheirRangesAndFlipHalfTheTime()
    {
        const int draws = 20_000;
        var all = Enumerable.Range(0, draws).Select(i => Augmentation.Draw(0, i / 6400, (i / 64) % 100, i % 64)).ToList();
        double maxAngle = 0.1 * 2 * Math.PI;
        double flipRate = all.Average(p => p.Flip);
        Assert.InRange(flipRate, 0.48, 0.52);
        Assert.All(all, p => Assert.InRange(p.Angle, -maxAngle, maxAngle));
        Assert.All(all, p => Assert.InRange(p.Zoom, 0.85f, 1.15f));
        Assert.InRange(all.Min(p => p.Angle), -maxAngle, -0.99 * maxAngle);
        Assert.InRange(all.Max(p => p.Angle), 0.99 * maxAngle, maxAngle);
        Assert.InRange(all.Min(p => p.Zoom), 0.85, 0.852);
        Assert.InRange(all.Max(p => p.Zoom), 1.148, 1.15);
        Assert.InRange(all.Average(p => p.Angle), -0.02, 0.02);
        Assert.InRange(all.Average(p => p.Zoom), 0.997, 1.003);

        // Uniform: each tenth of the angle range gets ~10% of the draws.
        var bins = new int[10];
        foreach (var p in all)
        {
            bins[Math.Min(9, (int)((p.Angle + maxAngle) / (2 * maxAngle) * 10))]++;
        }

        Assert.All(bins, b => Assert.InRange(b, draws / 10 * 0.9, draws / 10 * 1.1));
    }
}
