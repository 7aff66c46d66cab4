using System.Reflection;
using System.Reflection.Emit;
using IlgpuCnn.Device;

namespace IlgpuCnn.Tests.Architecture;

/// <summary>
/// docs/ARCHITECTURE.md's layering, checked by reflection over IlgpuCnn.Core: a type in one folder
/// (namespace) uses no type of a later folder — in its signatures, fields, base types, or method
/// bodies (the IL's type, field and method tokens). The root namespace (UserError, AtomicFile, ...) comes first.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>The folders of src/IlgpuCnn in layer order; each may use only itself and earlier ones.</summary>
    public static readonly string[] Layers = ["Device", "Tensors", "Autograd", "Kernels", "Layers", "Models", "Data", "Training", "Diagnostics"];

    private static readonly Assembly Core = typeof(ComputeDevice).Assembly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    [Fact]
    public void NoFolderUsesALaterOne()
    {
        var violations = new SortedSet<string>();
        foreach (var type in Core.GetTypes())
        {
            int layer = LayerOf(type);
            foreach (var used in TypesUsedBy(type).Where(u => u.Assembly == Core && LayerOf(u) > layer))
            {
                violations.Add($"{type.FullName} ({Name(layer)}) uses {used.FullName} ({Name(LayerOf(used))})");
            }
        }

        Assert.True(violations.Count == 0, "later layers used by earlier ones:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void EveryNamespaceIsALayer()
    {
        var unknown = Core.GetTypes().Select(t => t.Namespace ?? "").Where(n => n.StartsWith("IlgpuCnn.", StringComparison.Ordinal))
            .Where(n => !Layers.Any(l => n == $"IlgpuCnn.{l}" || n.StartsWith($"IlgpuCnn.{l}.", StringComparison.Ordinal)))
            .Distinct().ToList();
        Assert.True(unknown.Count == 0, "namespaces outside the layers of docs/ARCHITECTURE.md: " + string.Join(", ", unknown));
    }

    private static string Name(int layer) => layer < 0 ? "root" : Layers[layer];

    /// <summary>-1 for the root namespace, else the index in <see cref="Layers"/>.</summary>
    private static int LayerOf(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        string[] parts = (type.Namespace ?? "IlgpuCnn").Split('.');
        return parts.Length < 2 ? -1 : Array.IndexOf(Layers, parts[1]);
    }

    private static IEnumerable<Type> TypesUsedBy(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var used = new List<Type>();
        used.AddRange(type.GetInterfaces());
        if (type.BaseType is { } b)
        {
            used.Add(b);
        }

        used.AddRange(type.GetFields(all).Select(f => f.FieldType));
        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            if (method is MethodInfo mi)
            {
                used.Add(mi.ReturnType);
            }

            used.AddRange(TypesInBody(method));
        }

        return used.SelectMany(Expand);
    }

    /// <summary>A type with its element and generic argument types (List&lt;Tensor&gt; uses Tensor).</summary>
    private static IEnumerable<Type> Expand(Type t)
    {
        if (t.HasElementType)
        {
            return Expand(t.GetElementType()!);
        }

        return t.IsGenericType && !t.IsGenericTypeDefinition ? [t.GetGenericTypeDefinition(), .. t.GetGenericArguments().SelectMany(Expand)] : [t];
    }

    /// <summary>Types named by the tokens of a method's IL (types, fields' and methods' declaring types).</summary>
    private static IEnumerable<Type> TypesInBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            if (op.OperandType is OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType)
            {
                var member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs);
                foreach (var t in TypesOf(member))
                {
                    yield return t;
                }
            }

            i += OperandSize(op, il, i);
        }
    }

    private static IEnumerable<Type> TypesOf(MemberInfo? member) => member switch
    {
        Type t => [t],
        FieldInfo f => [f.DeclaringType!, f.FieldType],
        MethodBase m => [m.DeclaringType!, .. m.GetParameters().Select(p => p.ParameterType)],
        _ => [],
    };

    private static int OperandSize(OpCode op, byte[] il, int at) => op.OperandType switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
        _ => 4,
    };
}
