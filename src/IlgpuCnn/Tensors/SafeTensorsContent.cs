namespace IlgpuCnn.Tensors;

/// <summary>What a safetensors file holds: its tensors in file order and its <c>__metadata__</c> strings.</summary>
public sealed record SafeTensorsContent(IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The tensor called <paramref name="name"/>, or null.</summary>
    public NamedTensor? Find(string name) => Tensors.FirstOrDefault(t => t.Name == name);
}
