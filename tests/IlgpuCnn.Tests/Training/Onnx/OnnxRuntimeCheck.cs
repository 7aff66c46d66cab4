using IlgpuCnn.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace IlgpuCnn.Tests.Training.Onnx;

/// <summary>Runs an exported model with ONNX Runtime and compares it with the project's own inference.</summary>
internal static class OnnxRuntimeCheck
{
    /// <summary>CIFAR images (N, 3, 32, 32) in [0, 1] back to the uint8 (N, 32, 32, 3) RGB an application holds (exact: the floats are byte / 255).</summary>
    public static byte[] ToPixels(ReadOnlySpan<float> images, int count)
    {
        const int s = CifarDataset.ImageSize;
        var pixels = new byte[count * CifarDataset.ImageFloats];
        for (int n = 0; n < count; n++)
        {
            for (int c = 0; c < 3; c++)
            {
                for (int y = 0; y < s; y++)
                {
                    for (int x = 0; x < s; x++)
                    {
                        float v = images[((n * 3 + c) * s + y) * s + x];
                        pixels[((n * s + y) * s + x) * 3 + c] = (byte)Math.Round(v * 255f);
                    }
                }
            }
        }

        return pixels;
    }

    /// <summary>uint8 (N, 32, 32, 3) RGB pixels as the model's input (N, 3, 32, 32) in [0, 1], as <c>predict</c> prepares them.</summary>
    public static float[] ToImages(byte[] pixels, int count)
    {
        const int plane = CifarDataset.ImageSize * CifarDataset.ImageSize;
        var images = new float[count * CifarDataset.ImageFloats];
        for (int n = 0; n < count; n++)
        {
            for (int i = 0; i < plane; i++)
            {
                for (int c = 0; c < 3; c++)
                {
                    images[(n * 3 + c) * plane + i] = pixels[(n * plane + i) * 3 + c] / 255f;
                }
            }
        }

        return images;
    }

    /// <summary>The model's <c>probabilities</c> (N, classes) for uint8 pixels (N, 32, 32, 3).</summary>
    public static float[] Run(InferenceSession session, byte[] pixels, int count)
    {
        var input = new DenseTensor<byte>(pixels, [count, CifarDataset.ImageSize, CifarDataset.ImageSize, CifarDataset.Channels]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("pixels", input)]);
        var output = Assert.Single(results);
        Assert.Equal("probabilities", output.Name);
        var tensor = output.AsTensor<float>();
        Assert.Equal([count, CifarDataset.ClassCount], tensor.Dimensions.ToArray());
        return tensor.ToArray();
    }

    /// <summary>Asserts every probability within <paramref name="tolerance"/> (absolute) and the same argmax per image; returns the largest difference.</summary>
    public static double AssertSame(float[] expected, float[] actual, int count, double tolerance = 1e-5)
    {
        const int k = CifarDataset.ClassCount;
        Assert.Equal(count * k, actual.Length);
        double worst = 0;
        for (int n = 0; n < count; n++)
        {
            for (int c = 0; c < k; c++)
            {
                double diff = Math.Abs(expected[n * k + c] - actual[n * k + c]);
                worst = Math.Max(worst, diff);
                Assert.True(diff <= tolerance, $"image {n} class {c}: ONNX Runtime {actual[n * k + c]} vs IlgpuCnn {expected[n * k + c]} (|diff| {diff:E2} > {tolerance:E0})");
            }

            Assert.True(ArgMax(expected.AsSpan(n * k, k)) == ArgMax(actual.AsSpan(n * k, k)), $"image {n}: ONNX Runtime picks class {ArgMax(actual.AsSpan(n * k, k))}, IlgpuCnn picks {ArgMax(expected.AsSpan(n * k, k))}");
        }

        return worst;
    }

    public static int ArgMax(ReadOnlySpan<float> v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] > v[best])
            {
                best = i;
            }
        }

        return best;
    }
}
