namespace IlgpuCnn.Tensors;

/// <summary>One tensor as a safetensors header describes it (no data).</summary>
public sealed record SafeTensorsEntry(string Name, SafeTensorsDType DType, IReadOnlyList<long> Shape)
{
    /// <summary>Number of elements (the product of the shape).</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);
}

/// <summary>What a safetensors file holds, read from its header alone: the tensors in file order and the metadata.</summary>
public sealed record SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> Tensors, IReadOnlyDictionary<string, string> Metadata);
