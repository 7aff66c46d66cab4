using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using IlgpuCnn.Tensors;

namespace IlgpuCnn.Tests.Tensors;

public sealed class SafeTensorsTests
{
    /// <summary>Random bit patterns plus the awkward ones: NaN payloads, signalling NaN, denormals, ±0, ±inf.</summary>
    private static float[] AwkwardFloats(int count, int seed)
    {
        var rng = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = BitConverter.Int32BitsToSingle(rng.Next() ^ (rng.Next() << 1));
        }

        uint[] special = [0x7FC12345u, 0xFFC00001u, 0x7F800001u, 0x00000001u, 0x807FFFFFu, 0x80000000u, 0x00000000u, 0x7F800000u, 0xFF800000u];
        for (int i = 0; i < Math.Min(special.Length, count); i++)
        {
            values[i] = BitConverter.UInt32BitsToSingle(special[i]);
        }

        return values;
    }

    private static (NamedTensor[] Tensors, Dictionary<string, string> Metadata) Sample()
    {
        NamedTensor[] tensors =
        [
            NamedTensor.F32("conv1.kernel", [3, 3, 3, 5], AwkwardFloats(135, 1)),
            NamedTensor.F32("bn.gamma", [7], AwkwardFloats(7, 2)),
            NamedTensor.I64("step", [], [long.MinValue + 3]),
            NamedTensor.I32("rng", [2, 2], [int.MinValue, -1, 0, int.MaxValue]),
            NamedTensor.F32("empty", [0, 4], []),
        ];
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["step"] = "123456789012", ["lr"] = "0.000125" };
        return (tensors, metadata);
    }

    [Fact]
    public void WriteThenReadIsBitExact()
    {
        using var dir = new TempDirectory();
        var (tensors, metadata) = Sample();
        var path = dir.File("model.safetensors");
        SafeTensors.Write(path, tensors, metadata);
        var read = SafeTensors.Read(path);

        Assert.Equal(tensors.Select(t => t.Name), read.Tensors.Select(t => t.Name));
        for (int i = 0; i < tensors.Length; i++)
        {
            Assert.Equal(tensors[i].DType, read.Tensors[i].DType);
            Assert.Equal(tensors[i].Shape, read.Tensors[i].Shape);
            Assert.True(tensors[i].Bytes.SequenceEqual(read.Tensors[i].Bytes), tensors[i].Name);
        }

        var original = tensors[0].ToFloats();
        var back = read.Find("conv1.kernel")!.ToFloats();
        Assert.Equal(original.Select(BitConverter.SingleToUInt32Bits), back.Select(BitConverter.SingleToUInt32Bits));
        Assert.Equal(0x7FC12345u, BitConverter.SingleToUInt32Bits(back[0]));
        Assert.Equal([long.MinValue + 3], read.Find("step")!.ToInt64s());
        Assert.Equal([int.MinValue, -1, 0, int.MaxValue], read.Find("rng")!.ToInt32s());
        Assert.Empty(read.Find("empty")!.ToFloats());
        Assert.Equal(metadata, read.Metadata);
        Assert.Throws<InvalidOperationException>(() => read.Find("step")!.ToFloats());
    }

    [Fact]
    public void HeaderFollowsTheSpec()
    {
        using var dir = new TempDirectory();
        var (tensors, metadata) = Sample();
        var path = dir.File("model.safetensors");
        SafeTensors.Write(path, tensors, metadata);

        // Parse the raw bytes independently of the reader.
        byte[] file = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(file);
        Assert.Equal(0UL, n % 8);
        string headerText = Encoding.UTF8.GetString(file, 8, (int)n);
        Assert.StartsWith("{", headerText, StringComparison.Ordinal);
        Assert.EndsWith("}", headerText.TrimEnd(' '), StringComparison.Ordinal); // only space padding after the JSON
        using var doc = JsonDocument.Parse(headerText);
        var root = doc.RootElement;

        var meta = root.GetProperty("__metadata__");
        Assert.Equal("123456789012", meta.GetProperty("step").GetString());

        long dataStart = 8 + (long)n;
        long expectedBegin = 0;
        foreach (var t in tensors)
        {
            var e = root.GetProperty(t.Name);
            Assert.Equal(t.DType.ToString(), e.GetProperty("dtype").GetString());
            Assert.Equal(t.Shape, e.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
            var offsets = e.GetProperty("data_offsets").EnumerateArray().Select(o => o.GetInt64()).ToArray();
            Assert.Equal(expectedBegin, offsets[0]);
            Assert.Equal(t.Count * NamedTensor.ElementSize(t.DType), offsets[1] - offsets[0]);
            expectedBegin = offsets[1];
        }

        Assert.Equal(file.Length, dataStart + expectedBegin);
        Assert.Equal(6, root.EnumerateObject().Count()); // 5 tensors + __metadata__

        // The first kernel value, read straight from the file as little-endian float32.
        long begin = root.GetProperty("conv1.kernel").GetProperty("data_offsets")[0].GetInt64();
        uint bits = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan((int)(dataStart + begin)));
        Assert.Equal(0x7FC12345u, bits);
        // The I64 step counter.
        long stepBegin = root.GetProperty("step").GetProperty("data_offsets")[0].GetInt64();
        Assert.Equal(long.MinValue + 3, BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan((int)(dataStart + stepBegin))));
    }

    [Fact]
    public void WriteIsAtomicAndLeavesNoTempFile()
    {
        using var dir = new TempDirectory();
        var path = dir.File("checkpoint.safetensors");
        SafeTensors.Write(path, [NamedTensor.F32("a", [2], [1f, 2f])], null);
        SafeTensors.Write(path, [NamedTensor.F32("a", [3], [3f, 4f, 5f])], new Dictionary<string, string> { ["k"] = "v" });

        Assert.Equal(["checkpoint.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
        var read = SafeTensors.Read(path);
        Assert.Equal([3f, 4f, 5f], read.Tensors.Single().ToFloats());
        Assert.Equal("v", read.Metadata["k"]);
    }

    [Fact]
    public void WriteRejectsDuplicateOrReservedNamesWithoutTouchingTheTarget()
    {
        using var dir = new TempDirectory();
        var path = dir.File("m.safetensors");
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [NamedTensor.F32("a", [1], [1f]), NamedTensor.F32("a", [1], [2f])]));
        Assert.Throws<ArgumentException>(() => SafeTensors.Write(path, [NamedTensor.F32("__metadata__", [1], [1f])]));
        Assert.Throws<ArgumentException>(() => NamedTensor.F32("bad", [2, 2], [1f, 2f, 3f]));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void TruncatedFileIsAClearUserError()
    {
        using var dir = new TempDirectory();
        var path = dir.File("model.safetensors");
        SafeTensors.Write(path, [NamedTensor.F32("w", [250], new float[250])], null);
        long full = new FileInfo(path).Length;
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.SetLength(full - 600);
        }

        var error = Assert.Throws<UserError>(() => SafeTensors.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("is truncated: header says 1,000 bytes of tensor data but only 400 follow", error.Message, StringComparison.Ordinal);

        // Cut inside the header.
        using (var fs = new FileStream(path, FileMode.Open))
        {
            fs.SetLength(20);
        }

        error = Assert.Throws<UserError>(() => SafeTensors.Read(path));
        Assert.Contains("truncated", error.Message, StringComparison.Ordinal);
        Assert.Contains("only 12 bytes follow", error.Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, [1, 2, 3]);
        error = Assert.Throws<UserError>(() => SafeTensors.Read(path));
        Assert.Contains("3 bytes long", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignFilesAreClearUserErrors()
    {
        using var dir = new TempDirectory();
        var png = dir.File("cat.png");
        File.WriteAllBytes(png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 32, 0, 0, 0, 32, 8, 2, 0, 0, 0]);
        var error = Assert.Throws<UserError>(() => SafeTensors.Read(png));
        Assert.StartsWith($"{png} is not a safetensors file", error.Message, StringComparison.Ordinal);

        var random = dir.File("random.bin");
        var bytes = new byte[4096];
        new Random(7).NextBytes(bytes);
        File.WriteAllBytes(random, bytes);
        error = Assert.Throws<UserError>(() => SafeTensors.Read(random));
        Assert.Contains(random, error.Message, StringComparison.Ordinal);

        Assert.Contains("does not exist", Assert.Throws<UserError>(() => SafeTensors.Read(dir.File("missing.safetensors"))).Message, StringComparison.Ordinal);
    }

    private static string WriteRaw(TempDirectory dir, string header, int dataBytes)
    {
        var path = dir.File("crafted.safetensors");
        var h = Encoding.UTF8.GetBytes(header);
        var file = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)h.Length);
        h.CopyTo(file, 8);
        File.WriteAllBytes(path, file);
        return path;
    }

    [Theory]
    [InlineData("[1, 2, 3]", 0, "header is a JSON array, not an object")]
    [InlineData("{not json", 0, "header is not valid JSON")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "offsets overlap or leave a gap")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "offsets overlap or leave a gap")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8, "has shape [3] of F32 but data_offsets span 8 bytes")]
    [InlineData("""{"a": {"dtype": "BF16", "shape": [4], "data_offsets": [0, 8]}}""", 8, "dtype 'BF16', which this program cannot read")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", 12, "header says 8 bytes of tensor data but 12 follow")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", 8, "data_offsets [begin, end] with begin <= end")]
    [InlineData("""{"__metadata__": {"n": 3}}""", 0, "__metadata__ value 'n' is not a string")]
    [InlineData("""{"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}""", 4, "shape entry that is not a non-negative integer")]
    public void DamagedHeadersAreClearUserErrors(string header, int dataBytes, string expected)
    {
        using var dir = new TempDirectory();
        var path = WriteRaw(dir, header, dataBytes);
        var error = Assert.Throws<UserError>(() => SafeTensors.Read(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadsAForeignButValidFileWithOutOfOrderEntries()
    {
        // Written by another tool: entries listed out of data order, no metadata, no padding.
        using var dir = new TempDirectory();
        var path = WriteRaw(dir, """{"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 8);
        var bytes = File.ReadAllBytes(path);
        int dataStart = bytes.Length - 8;
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(dataStart), 1.5f);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(dataStart + 4), -2.5f);
        File.WriteAllBytes(path, bytes);

        var read = SafeTensors.Read(path);
        Assert.Equal(["b", "a"], read.Tensors.Select(t => t.Name));
        Assert.Equal([-2.5f], read.Find("b")!.ToFloats());
        Assert.Equal([1.5f], read.Find("a")!.ToFloats());
        Assert.Empty(read.Metadata);
    }
}
