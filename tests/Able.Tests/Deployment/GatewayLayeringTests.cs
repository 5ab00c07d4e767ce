using System.Reflection;
using System.Reflection.Emit;

namespace Able.Tests.Deployment;

/// <summary>
/// Inside the gateway, Decoration builds on Capture (it decorates for the <c>GatewayVisitor</c> capture attached)
/// and never the reverse: capture must work, and be readable, without decoration. Both build on Routing (routes,
/// funnel metadata, client addresses), which uses neither. ClientHints (Accept-CH for captured pages) builds on Capture
/// and Routing the same way, and neither uses it. Read from the compiled gateway:
/// every type of a namespace with its nested and compiler-generated types (lambdas, async and iterator state
/// machines), their signatures, attributes, locals and the types and members their IL names.
/// </summary>
public sealed class GatewayLayeringTests
{
    private const string Capture = "Able.Gateway.Capture";
    private const string Decoration = "Able.Gateway.Decoration";
    private const string Routing = "Able.Gateway.Routing";
    private const string ClientHints = "Able.Gateway.ClientHints";

    private static readonly Assembly Gateway = typeof(Able.Gateway.GatewayApp).Assembly;

    /// <summary>Each feature folder and the folders it must not use: Routing (the YARP routes, client addresses) sits below both.</summary>
    [Theory]
    [InlineData(Capture, Decoration)]
    [InlineData(Routing, Capture)]
    [InlineData(Routing, Decoration)]
    [InlineData(Capture, ClientHints)]
    [InlineData(Routing, ClientHints)]
    public void A_lower_folder_does_not_depend_on_a_higher_one(string lower, string higher)
    {
        var offending = TypesUsedBy(lower)
            .Where(use => use.Used.Namespace == higher)
            .Select(use => $"{use.User} uses {use.Used.FullName}")
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Empty(offending);
    }

    [Fact]
    public void The_scan_sees_uses_inside_method_bodies()
    {
        // HtmlDecorationTransforms reads GatewayVisitor.Of(context) inside a method body and nowhere in a signature.
        Assert.Contains(TypesUsedBy(Decoration), use => use.Used.FullName == Capture + ".GatewayVisitor");
        Assert.Contains(TypesUsedBy(Capture), use => use.Used.Namespace == Capture);
    }

    private static IEnumerable<(string User, Type Used)> TypesUsedBy(string ns)
    {
        // Nested types report the namespace of the type that encloses them.
        foreach (var type in Gateway.GetTypes().Where(t => t.Namespace == ns))
        {
            foreach (var used in Direct(type).SelectMany(Expand))
            {
                yield return (type.FullName!, used);
            }
        }
    }

    private static IEnumerable<Type> Direct(Type type)
    {
        const BindingFlags All = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var used in type.GetInterfaces().Concat(Attributes(type.GetCustomAttributesData())))
        {
            yield return used;
        }

        foreach (var field in type.GetFields(All))
        {
            yield return field.FieldType;
        }

        foreach (var property in type.GetProperties(All))
        {
            yield return property.PropertyType;
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            foreach (var used in Signature(method).Concat(Attributes(method.GetCustomAttributesData())).Concat(Body(method)))
            {
                yield return used;
            }
        }
    }

    private static IEnumerable<Type> Signature(MethodBase method)
    {
        if (method is MethodInfo info)
        {
            yield return info.ReturnType;
        }

        foreach (var parameter in method.GetParameters())
        {
            yield return parameter.ParameterType;
        }
    }

    private static IEnumerable<Type> Attributes(IEnumerable<CustomAttributeData> attributes) =>
        attributes.SelectMany(a => a.ConstructorArguments.Select(arg => arg.ArgumentType)
            .Concat(a.ConstructorArguments.Select(arg => arg.Value).OfType<Type>())
            .Prepend(a.AttributeType));

    /// <summary>Locals and every type, field or method token in the IL.</summary>
    private static List<Type> Body(MethodBase method)
    {
        var used = new List<Type>();
        var body = method.GetMethodBody();
        if (body is null)
        {
            return used;
        }

        used.AddRange(body.LocalVariables.Select(l => l.LocalType));
        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var opCode = il[at] == 0xFE ? TwoByte[il[at + 1]] : OneByte[il[at]];
            at += opCode.Size;
            switch (opCode.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType:
                    used.AddRange(Member(method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments)));
                    break;
                case OperandType.InlineSwitch:
                    at += 4 * BitConverter.ToInt32(il, at);
                    break;
            }

            at += OperandSize(opCode.OperandType);
        }

        return used;
    }

    private static IEnumerable<Type> Member(MemberInfo? member) => member switch
    {
        Type type => [type],
        FieldInfo field => [field.DeclaringType!, field.FieldType],
        MethodBase method => Signature(method).Prepend(method.DeclaringType!),
        _ => [],
    };

    /// <summary>A type with what it is built from: generic arguments, element types, enclosing types.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type;
        var parts = type.HasElementType ? [type.GetElementType()!] : type.IsGenericType ? type.GetGenericArguments() : [];
        if (type.DeclaringType is { } declaring)
        {
            parts = [.. parts, declaring];
        }

        foreach (var part in parts.SelectMany(Expand))
        {
            yield return part;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };

    private static readonly OpCode[] OneByte = OpCodeTable(size: 1);
    private static readonly OpCode[] TwoByte = OpCodeTable(size: 2);

    /// <summary>The opcodes of one size by their last byte (two-byte opcodes all start with 0xFE).</summary>
    private static OpCode[] OpCodeTable(int size)
    {
        var table = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var opCode = (OpCode)field.GetValue(null)!;
            if (opCode.Size == size)
            {
                table[(ushort)opCode.Value & 0xFF] = opCode;
            }
        }

        return table;
    }
}
