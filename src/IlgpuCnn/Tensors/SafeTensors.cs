using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;

namespace IlgpuCnn.Tensors;

/// <summary>
/// Reads and writes safetensors files (the Hugging Face format PyTorch tools load): an 8-byte
/// little-endian header length N, N bytes of UTF-8 JSON
/// <c>{"__metadata__": {string: string}, "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}</c>
/// padded with spaces to a multiple of 8, then the tensors' little-endian bytes, contiguous and in
/// header order, offsets relative to the first byte after the header. Writes go through
/// <see cref="AtomicFile"/>; reads check every header number
/// against the file and report a damaged or foreign file as a <see cref="UserError"/>.
/// </summary>
public static class SafeTensors
{
    /// <summary>The reference implementation's limit on the JSON header (100 MB).</summary>
    public const long MaxHeaderBytes = 100L * 1024 * 1024;

    private const string MetadataKey = "__metadata__";

    /// <summary>Writes <paramref name="tensors"/> (in order) and <paramref name="metadata"/> to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        byte[] header = BuildHeader(tensors, metadata);

        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var t in tensors)
            {
                stream.Write(t.Bytes);
            }
        });
    }

    /// <summary>Reads and validates a whole safetensors file.</summary>
    /// <exception cref="UserError">The file is missing, truncated, not a safetensors file, or uses a dtype this program does not read.</exception>
    public static SafeTensorsContent Read(string path) => Read(path, null);

    /// <summary>
    /// Reads and validates a safetensors file; <paramref name="check"/> sees the header (names, dtypes,
    /// shapes, metadata) before any tensor data is read and may refuse the file by throwing, so a
    /// crafted header cannot make this read gigabytes.
    /// </summary>
    /// <exception cref="UserError">The file is missing, truncated, not a safetensors file, or uses a dtype this program does not read.</exception>
    public static SafeTensorsContent Read(string path, Action<SafeTensorsHeader>? check)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        BoundedFile.RequireExisting(path, "check the path of the checkpoint");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (entries, metadata, dataStart) = ReadHeader(path, stream);
        check?.Invoke(new SafeTensorsHeader(entries.OrderBy(e => e.Order).Select(e => new SafeTensorsEntry(e.Name, e.DType, e.Shape)).ToList(), metadata));
        var tensors = new List<NamedTensor>(entries.Count);
        foreach (var e in entries.OrderBy(e => e.Order))
        {
            var bytes = new byte[e.End - e.Begin];
            stream.Position = dataStart + e.Begin;
            stream.ReadExactly(bytes);
            tensors.Add(new NamedTensor(e.Name, e.DType, e.Shape, bytes));
        }

        return new SafeTensorsContent(tensors, metadata);
    }

    /// <summary>Reads and validates only the header (names, dtypes, shapes, metadata), checked against the file's length.</summary>
    /// <exception cref="UserError">The file is missing, truncated or not a safetensors file.</exception>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        BoundedFile.RequireExisting(path, "check the path of the checkpoint");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var (entries, metadata, _) = ReadHeader(path, stream);
        return new SafeTensorsHeader(entries.OrderBy(e => e.Order).Select(e => new SafeTensorsEntry(e.Name, e.DType, e.Shape)).ToList(), metadata);
    }

    /// <summary>Reads and checks the header against the file's length; returns the entries, the metadata and where the data starts.</summary>
    private static (List<Entry> Entries, Dictionary<string, string> Metadata, long DataStart) ReadHeader(string path, FileStream stream)
    {
        long fileLength = stream.Length;
        ulong headerLength = ReadHeaderLength(path, stream, fileLength);
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        var entries = ParseHeader(path, header, out var metadata);

        long dataLength = fileLength - 8 - (long)headerLength;
        long expected = entries.Count == 0 ? 0 : entries[^1].End;
        if (dataLength < expected)
        {
            throw new UserError(
                $"{path} is truncated: header says {N(expected)} bytes of tensor data but only {N(dataLength)} follow; the checkpoint is damaged, retrain or use another file.");
        }

        if (dataLength > expected)
        {
            throw new UserError(
                $"{path} is damaged: header says {N(expected)} bytes of tensor data but {N(dataLength)} follow; retrain or use another file.");
        }

        return (entries, metadata, 8 + (long)headerLength);
    }

    /// <summary>The header length in the first 8 bytes, checked against the limit and the bytes that follow.</summary>
    private static ulong ReadHeaderLength(string path, FileStream stream, long fileLength)
    {
        if (fileLength < 8)
        {
            throw new UserError(
                $"{path} is not a safetensors file: it is {N(fileLength)} bytes long, too short to hold even the 8-byte header length; the checkpoint is damaged, retrain or use another file.");
        }

        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        long available = fileLength - 8;
        if (headerLength > (ulong)MaxHeaderBytes)
        {
            throw new UserError(
                $"{path} is not a safetensors file: its first 8 bytes announce a {N(headerLength)}-byte header (the limit is {N(MaxHeaderBytes)}); pass a .safetensors checkpoint written by this program.");
        }

        if ((long)headerLength > available)
        {
            throw new UserError(
                $"{path} is truncated or not a safetensors file: its header should be {N(headerLength)} bytes but only {N(available)} bytes follow the length; the checkpoint is damaged, retrain or use another file.");
        }

        return headerLength;
    }

    private sealed record Entry(string Name, SafeTensorsDType DType, long[] Shape, long Begin, long End, int Order);

    private static byte[] BuildHeader(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    w.WriteString(key, value);
                }

                w.WriteEndObject();
            }

            long offset = 0;
            foreach (var t in tensors)
            {
                ArgumentNullException.ThrowIfNull(t, nameof(tensors));
                if (t.Name == MetadataKey || !names.Add(t.Name))
                {
                    throw new ArgumentException($"tensor name '{t.Name}' is reserved or used twice", nameof(tensors));
                }

                offset = WriteEntry(w, t, offset);
            }

            w.WriteEndObject();
        }

        return PadToEight(json);
    }

    /// <summary>Writes <c>"name": {"dtype", "shape", "data_offsets": [offset, end]}</c>; returns the end.</summary>
    private static long WriteEntry(Utf8JsonWriter w, NamedTensor t, long offset)
    {
        w.WriteStartObject(t.Name);
        w.WriteString("dtype", t.DType.ToString());
        w.WriteStartArray("shape");
        foreach (long d in t.Shape)
        {
            w.WriteNumberValue(d);
        }

        w.WriteEndArray();
        w.WriteStartArray("data_offsets");
        w.WriteNumberValue(offset);
        w.WriteNumberValue(offset + t.Bytes.Length);
        w.WriteEndArray();
        w.WriteEndObject();
        return offset + t.Bytes.Length;
    }

    /// <summary>The JSON padded with spaces so the data starts 8-byte aligned, as the reference implementation does.</summary>
    private static byte[] PadToEight(MemoryStream json)
    {
        int length = (int)json.Length;
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        json.GetBuffer().AsSpan(0, length).CopyTo(header);
        header.AsSpan(length).Fill((byte)' ');
        return header;
    }

    private static string NotSafeTensors(string path, string what) =>
        $"{path} is not a safetensors file: {what}; pass a .safetensors checkpoint written by this program.";

    private static List<Entry> ParseHeader(string path, byte[] header, out Dictionary<string, string> metadata)
    {
        using (var doc = ParseJson(path, header))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new UserError(NotSafeTensors(path, $"its header is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, not an object"));
            }

            metadata = [];
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    throw new UserError(NotSafeTensors(path, $"its header names '{property.Name}' twice"));
                }

                if (property.Name == MetadataKey)
                {
                    ReadMetadata(path, property.Value, metadata);
                    continue;
                }

                entries.Add(ParseEntry(path, property, entries.Count));
            }

            CheckContiguous(path, entries);
            return entries;
        }
    }

    private static JsonDocument ParseJson(string path, byte[] header)
    {
        try
        {
            return JsonDocument.Parse(header.AsMemory().TrimEnd((byte)' '));
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new UserError(NotSafeTensors(path, "its header is not valid JSON"), e);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw new UserError(NotSafeTensors(path, "its __metadata__ is not an object of strings"));
        }

        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw new UserError(NotSafeTensors(path, $"its __metadata__ value '{m.Name}' is not a string"));
            }

            metadata[m.Name] = m.Value.GetString()!;
        }
    }

    /// <summary>Sorts the entries by offset and checks they cover the data exactly: each starts where the last ended.</summary>
    private static void CheckContiguous(string path, List<Entry> entries)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expectedBegin = 0;
        foreach (var e in entries)
        {
            if (e.Begin != expectedBegin)
            {
                throw new UserError(
                    $"{path} is damaged: tensor '{e.Name}' starts at byte {N(e.Begin)} of the data but the previous tensor ends at {N(expectedBegin)} (offsets overlap or leave a gap); retrain or use another file.");
            }

            expectedBegin = e.End;
        }
    }

    private static Entry ParseEntry(string path, JsonProperty property, int order)
    {
        string Damaged(string what) => $"{path} is damaged: tensor '{property.Name}' {what}; retrain or use another file.";

        var v = property.Value;
        if (v.ValueKind != JsonValueKind.Object
            || !v.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String
            || !v.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array
            || !v.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array)
        {
            throw new UserError(Damaged("lacks a string dtype, a shape array or a data_offsets array"));
        }

        var dtype = ParseDType(path, property.Name, dtypeJson.GetString()!);

        var shape = NonNegativeIntegers(shapeJson, () => Damaged("has a shape entry that is not a non-negative integer"));
        var offsets = NonNegativeIntegers(offsetsJson, () => Damaged("has a data offset that is not a non-negative integer"));
        if (offsets.Count != 2 || offsets[1] < offsets[0])
        {
            throw new UserError(Damaged("does not have data_offsets [begin, end] with begin <= end"));
        }

        long? count = NamedTensor.ElementCount(shape);
        long byteLength = offsets[1] - offsets[0];
        if (count is null || count.Value > long.MaxValue / NamedTensor.ElementSize(dtype)
            || count.Value * NamedTensor.ElementSize(dtype) != byteLength)
        {
            throw new UserError(Damaged(
                $"has shape [{string.Join(", ", shape)}] of {dtype} but data_offsets span {N(byteLength)} bytes"));
        }

        if (byteLength > Array.MaxLength)
        {
            throw new UserError(Damaged($"is {N(byteLength)} bytes, more than this program can hold in one array"));
        }

        return new Entry(property.Name, dtype, [.. shape], offsets[0], offsets[1], order);
    }

    private static SafeTensorsDType ParseDType(string path, string tensor, string name)
    {
        if (!Enum.TryParse<SafeTensorsDType>(name, ignoreCase: false, out var dtype) || !Enum.IsDefined(dtype) || name != dtype.ToString())
        {
            throw new UserError(
                $"{path} holds tensor '{tensor}' of dtype '{name}', which this program cannot read (it reads {string.Join(", ", Enum.GetNames<SafeTensorsDType>())}); use a checkpoint written by this program.");
        }

        return dtype;
    }

    private static List<long> NonNegativeIntegers(JsonElement array, Func<string> error)
    {
        var values = new List<long>();
        foreach (var d in array.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long value) || value < 0)
            {
                throw new UserError(error());
            }

            values.Add(value);
        }

        return values;
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string N(ulong value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
