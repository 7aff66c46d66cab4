using IlgpuCnn.Training.Onnx.Schema;

namespace IlgpuCnn.Training.Onnx;

/// <summary>
/// Appends nodes and constant tensors (initializers) to an ONNX <see cref="GraphProto"/>, in
/// topological order: each node reads values already defined and defines one new value.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string name) => Graph = new GraphProto { Name = name };

    public GraphProto Graph { get; }

    /// <summary>Declares a graph input (or output) of element type <paramref name="elemType"/>; a string dimension is symbolic (dynamic).</summary>
    public static ValueInfoProto Value(string name, TensorProto.Types.DataType elemType, string doc, params object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims)
        {
            shape.Dim.Add(d is string param ? new TensorShapeProto.Types.Dimension { DimParam = param } : new TensorShapeProto.Types.Dimension { DimValue = Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture) });
        }

        return new ValueInfoProto
        {
            Name = name,
            DocString = doc,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)elemType, Shape = shape } },
        };
    }

    /// <summary>A float32 constant tensor named <paramref name="name"/> of shape <paramref name="dims"/> (empty: a scalar).</summary>
    public string Constant(string name, long[] dims, ReadOnlySpan<float> values)
    {
        long count = dims.Aggregate(1L, (a, b) => a * b);
        if (count != values.Length)
        {
            throw new ArgumentException($"constant '{name}' of shape [{string.Join(", ", dims)}] needs {count} values, but got {values.Length}", nameof(values));
        }

        var tensor = new TensorProto { Name = Claim(name), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.Capacity = values.Length;
        foreach (float v in values)
        {
            tensor.FloatData.Add(v);
        }

        Graph.Initializer.Add(tensor);
        return name;
    }

    /// <summary>Adds <c>output = opType(inputs)</c> and returns the output's name.</summary>
    public string Node(string opType, string output, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output, Output = { Claim(output) } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Claim(string name) =>
        _names.Add(name) ? name : throw new InvalidOperationException($"the ONNX graph already defines a value named '{name}'");
}
