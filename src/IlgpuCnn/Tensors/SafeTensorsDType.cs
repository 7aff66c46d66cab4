namespace IlgpuCnn.Tensors;

/// <summary>Element types this program reads and writes in safetensors files (the header's <c>dtype</c> strings).</summary>
public enum SafeTensorsDType
{
    F32,
    F64,
    I32,
    I64,
    U8,
}
