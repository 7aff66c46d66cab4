using System.CommandLine;
using System.Globalization;
using IlgpuCnn.Data;
using IlgpuCnn.Device;
using IlgpuCnn.Training;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace IlgpuCnn.Cli.Commands;

/// <summary><c>ilgpucnn predict</c>: the top classes of PNG/JPEG files of any size (resized to 32×32).</summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model.safetensors or checkpoint.safetensors written by 'ilgpucnn train'.", Required = true };
        var top = new Option<int>("--top") { Description = "How many classes to show per image.", DefaultValueFactory = _ => 3 };
        var device = SharedOptions.Device();
        var images = new Argument<string[]>("images") { Description = "PNG or JPEG files (any size; each is resized to 32x32).", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("predict", "Classify images with a trained checkpoint and print the top classes with probabilities.")
        {
            model, top, device, images,
        };
        cmd.SetAction(parse => Cli.Guard(parse, () =>
        {
            var files = parse.GetValue(images)!;
            int k = parse.GetValue(top);
            if (k is < 1 or > CifarDataset.ClassCount)
            {
                throw new UserError($"--top must be between 1 and {CifarDataset.ClassCount} (the classes there are), but got {k}.");
            }

            Checkpoint.RequireFile(parse.GetValue(model)!); // before the images are decoded
            var pixels = new float[files.Length * CifarDataset.ImageFloats];
            for (int i = 0; i < files.Length; i++)
            {
                LoadImage(files[i]).CopyTo(pixels, i * CifarDataset.ImageFloats);
            }

            using var dev = ComputeDevice.Create(SharedOptions.DeviceKindOf(parse.GetValue(device)!));
            using var net = Checkpoint.LoadModel(parse.GetValue(model)!, dev);
            var probs = Evaluator.PredictProbabilities(net, pixels, files.Length);
            for (int i = 0; i < files.Length; i++)
            {
                var row = probs.AsSpan(i * net.Classes, net.Classes).ToArray();
                var best = Enumerable.Range(0, net.Classes).OrderByDescending(c => row[c]).Take(k);
                Console.WriteLine($"{files[i]}: " + string.Join(", ", best.Select(c => string.Create(CultureInfo.InvariantCulture, $"{CifarDataset.ClassNames[c]} {row[c]:P1}"))));
            }

            return 0;
        }));
        return cmd;
    }

    /// <summary>The largest width or height <see cref="LoadImage"/> decodes (checked from the header, before decoding).</summary>
    public const int MaxSide = 4096;

    /// <summary>Decodes an image file, resizes it to 32×32 (bilinear) and returns (3, 32, 32) floats in [0, 1].</summary>
    public static float[] LoadImage(string path)
    {
        BoundedFile.RequireExisting(path, "pass the path of a PNG or JPEG file");

        using var image = Decode(path);
        const int size = CifarDataset.ImageSize;
        if (image.Width != size || image.Height != size)
        {
            image.Mutate(x => x.Resize(size, size, KnownResamplers.Triangle));
        }

        var result = new float[CifarDataset.ImageFloats];
        image.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (int x = 0; x < size; x++)
                {
                    result[(0 * size + y) * size + x] = row[x].R / 255f;
                    result[(1 * size + y) * size + x] = row[x].G / 255f;
                    result[(2 * size + y) * size + x] = row[x].B / 255f;
                }
            }
        });
        return result;
    }

    /// <summary>
    /// Decodes the file as RGB after checking its header's size; of an animated or multi-page file
    /// (GIF, TIFF) only the first frame is decoded, so memory is bounded by one frame of at most
    /// <see cref="MaxSide"/>² pixels. An unreadable file is a <see cref="UserError"/>.
    /// </summary>
    public static Image<Rgb24> Decode(string path)
    {
        try
        {
            // The header first: a small file can declare a huge image (a PNG of zeros compresses ~1000:1).
            var info = Image.Identify(path, out var format) ?? throw new UnknownImageFormatException("unknown format");
            if (info.Width > MaxSide || info.Height > MaxSide)
            {
                throw new UserError($"'{path}' is {info.Width:N0}×{info.Height:N0} pixels, larger than the {MaxSide:N0} pixels per side that predict reads (every image is shrunk to 32×32 anyway); resize it first.");
            }

            return Image.Load<Rgb24>(path, FirstFrameDecoder(path, format));
        }
        catch (UnknownImageFormatException e)
        {
            throw new UserError($"'{path}' is not a PNG or JPEG image; pass an image file.", e);
        }
        catch (Exception e) when (e is InvalidImageContentException or NotSupportedException)
        {
            throw new UserError($"'{path}' is a damaged image ({e.Message.Split('\n')[0].Trim()}); pass a readable PNG or JPEG file.", e);
        }
    }

    /// <summary>The decoder for <paramref name="format"/> that reads one frame; formats that may hold many frames without such a decoder are refused.</summary>
    private static SixLabors.ImageSharp.Formats.IImageDecoder FirstFrameDecoder(string path, SixLabors.ImageSharp.Formats.IImageFormat format) => format switch
    {
        SixLabors.ImageSharp.Formats.Gif.GifFormat => new SixLabors.ImageSharp.Formats.Gif.GifDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First },
        SixLabors.ImageSharp.Formats.Tiff.TiffFormat => new SixLabors.ImageSharp.Formats.Tiff.TiffDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First },
        SixLabors.ImageSharp.Formats.Png.PngFormat => new SixLabors.ImageSharp.Formats.Png.PngDecoder(),
        SixLabors.ImageSharp.Formats.Jpeg.JpegFormat => new SixLabors.ImageSharp.Formats.Jpeg.JpegDecoder(),
        SixLabors.ImageSharp.Formats.Bmp.BmpFormat => new SixLabors.ImageSharp.Formats.Bmp.BmpDecoder(),
        _ => throw new UserError($"'{path}' is a {format.Name} image, which predict does not read; convert it to PNG or JPEG."),
    };
}
