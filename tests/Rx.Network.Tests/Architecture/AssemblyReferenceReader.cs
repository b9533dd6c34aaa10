using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Rx.Network.Tests.Architecture;

/// <summary>
/// Reads every type reference compiled code of an assembly makes, from its metadata and IL
/// (System.Reflection.Metadata): base types and interfaces, generic constraints, attributes, the
/// types in field, method, property and event signatures, and in method bodies every token an
/// instruction carries (calls, field accesses, casts, <c>newobj</c>, <c>ldtoken</c>, locals). This is
/// what the code depends on after the compiler resolved every name, <c>using</c> or not.
/// </summary>
/// <remarks>
/// Not read: <c>typeof</c> arguments inside attribute blobs and string literals; neither is a
/// reference the runtime binds.
/// </remarks>
public static class AssemblyReferenceReader
{
    private static readonly Dictionary<ushort, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => unchecked((ushort)code.Value), code => code.OperandType);

    /// <summary>Reads the references of the assembly file at <paramref name="path"/>.</summary>
    public static IReadOnlyList<CodeReference> Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream);
    }

    /// <summary>Reads the references of the assembly image in <paramref name="image"/>.</summary>
    public static IReadOnlyList<CodeReference> Read(Stream image)
    {
        using var pe = new PEReader(image);
        var walker = new Walker(pe);
        walker.Run();
        return [.. walker.References];
    }

    private sealed class Walker(PEReader pe)
    {
        private readonly MetadataReader _md = pe.GetMetadataReader();
        private readonly TypeNames _names = new();
        private string _fromType = string.Empty;
        private string _fromMember = string.Empty;

        public HashSet<CodeReference> References { get; } = [];

        public void Run()
        {
            foreach (var handle in _md.TypeDefinitions)
            {
                var type = _md.GetTypeDefinition(handle);
                _fromType = Outermost(handle);
                string prefix = NestedPrefix(handle);
                At(prefix.Length == 0 ? "(type)" : prefix);
                if (!type.BaseType.IsNil)
                {
                    Entity(type.BaseType);
                }

                foreach (var impl in type.GetInterfaceImplementations())
                {
                    Entity(_md.GetInterfaceImplementation(impl).Interface);
                }

                GenericParameters(type.GetGenericParameters());
                Attributes(type.GetCustomAttributes());
                foreach (var impl in type.GetMethodImplementations())
                {
                    Entity(_md.GetMethodImplementation(impl).MethodDeclaration);
                }

                foreach (var fieldHandle in type.GetFields())
                {
                    var field = _md.GetFieldDefinition(fieldHandle);
                    At(Member(prefix, _md.GetString(field.Name)));
                    Collect(field.DecodeSignature(_names, null));
                    Attributes(field.GetCustomAttributes());
                }

                foreach (var propertyHandle in type.GetProperties())
                {
                    var property = _md.GetPropertyDefinition(propertyHandle);
                    At(Member(prefix, _md.GetString(property.Name)));
                    Collect(property.DecodeSignature(_names, null));
                    Attributes(property.GetCustomAttributes());
                }

                foreach (var eventHandle in type.GetEvents())
                {
                    var @event = _md.GetEventDefinition(eventHandle);
                    At(Member(prefix, _md.GetString(@event.Name)));
                    Entity(@event.Type);
                    Attributes(@event.GetCustomAttributes());
                }

                foreach (var methodHandle in type.GetMethods())
                {
                    Method(prefix, methodHandle);
                }
            }
        }

        private void Method(string prefix, MethodDefinitionHandle handle)
        {
            var method = _md.GetMethodDefinition(handle);
            At(Member(prefix, _md.GetString(method.Name)));
            Collect(method.DecodeSignature(_names, null));
            GenericParameters(method.GetGenericParameters());
            Attributes(method.GetCustomAttributes());
            foreach (var parameter in method.GetParameters())
            {
                Attributes(_md.GetParameter(parameter).GetCustomAttributes());
            }

            if (method.RelativeVirtualAddress == 0)
            {
                return;
            }

            var body = pe.GetMethodBody(method.RelativeVirtualAddress);
            if (!body.LocalSignature.IsNil)
            {
                Entity(body.LocalSignature);
            }

            var il = body.GetILReader();
            while (il.RemainingBytes > 0)
            {
                ushort code = il.ReadByte();
                if (code == 0xFE)
                {
                    code = (ushort)(0xFE00 | il.ReadByte());
                }

                switch (Operands[code])
                {
                    case OperandType.InlineField:
                    case OperandType.InlineMethod:
                    case OperandType.InlineSig:
                    case OperandType.InlineTok:
                    case OperandType.InlineType:
                        Entity(MetadataTokens.EntityHandle(il.ReadInt32()));
                        break;
                    case OperandType.InlineSwitch:
                        {
                            // Read the count before moving: `Offset += 4 * ReadInt32()` reads Offset first.
                            int targets = il.ReadInt32();
                            il.Offset += 4 * targets;
                        }

                        break;
                    case OperandType.InlineNone:
                        break;
                    case OperandType.ShortInlineBrTarget:
                    case OperandType.ShortInlineI:
                    case OperandType.ShortInlineVar:
                        il.Offset += 1;
                        break;
                    case OperandType.InlineVar:
                        il.Offset += 2;
                        break;
                    case OperandType.InlineI8:
                    case OperandType.InlineR:
                        il.Offset += 8;
                        break;
                    default:
                        il.Offset += 4;
                        break;
                }
            }
        }

        private void Entity(EntityHandle handle)
        {
            EntityCore(handle);
            Flush();
        }

        private void EntityCore(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                case HandleKind.TypeReference:
                case HandleKind.TypeSpecification:
                    Add(TypeOf(handle), null);
                    break;
                case HandleKind.MethodDefinition:
                    {
                        var method = _md.GetMethodDefinition((MethodDefinitionHandle)handle);
                        Add(_names.GetTypeFromDefinition(_md, method.GetDeclaringType(), 0), _md.GetString(method.Name));
                        Collect(method.DecodeSignature(_names, null));
                        break;
                    }

                case HandleKind.FieldDefinition:
                    {
                        var field = _md.GetFieldDefinition((FieldDefinitionHandle)handle);
                        Add(_names.GetTypeFromDefinition(_md, field.GetDeclaringType(), 0), _md.GetString(field.Name));
                        Collect(field.DecodeSignature(_names, null));
                        break;
                    }

                case HandleKind.MemberReference:
                    {
                        var member = _md.GetMemberReference((MemberReferenceHandle)handle);
                        string name = _md.GetString(member.Name);
                        switch (member.Parent.Kind)
                        {
                            case HandleKind.MethodDefinition:
                                EntityCore(member.Parent);
                                break;
                            case HandleKind.ModuleReference:
                                break;
                            default:
                                Add(TypeOf(member.Parent), name);
                                break;
                        }

                        if (member.GetKind() == MemberReferenceKind.Method)
                        {
                            Collect(member.DecodeMethodSignature(_names, null));
                        }
                        else
                        {
                            Collect(member.DecodeFieldSignature(_names, null));
                        }

                        break;
                    }

                case HandleKind.MethodSpecification:
                    {
                        var spec = _md.GetMethodSpecification((MethodSpecificationHandle)handle);
                        EntityCore(spec.Method);
                        Collect(spec.DecodeSignature(_names, null));
                        break;
                    }

                case HandleKind.StandaloneSignature:
                    {
                        var signature = _md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                        if (signature.GetKind() == StandaloneSignatureKind.LocalVariables)
                        {
                            Collect(signature.DecodeLocalSignature(_names, null));
                        }
                        else
                        {
                            Collect(signature.DecodeMethodSignature(_names, null));
                        }

                        break;
                    }
            }
        }

        /// <summary>The principal type a handle names; every type a specification mentions is recorded.</summary>
        private string TypeOf(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => _names.GetTypeFromDefinition(_md, (TypeDefinitionHandle)handle, 0),
            HandleKind.TypeReference => _names.GetTypeFromReference(_md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => Collect(_md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(_names, null)),
            _ => throw new BadImageFormatException($"A type token of kind {handle.Kind}."),
        };

        private void GenericParameters(GenericParameterHandleCollection parameters)
        {
            foreach (var parameter in parameters)
            {
                foreach (var constraint in _md.GetGenericParameter(parameter).GetConstraints())
                {
                    Entity(_md.GetGenericParameterConstraint(constraint).Type);
                }
            }
        }

        private void Attributes(CustomAttributeHandleCollection attributes)
        {
            foreach (var attribute in attributes)
            {
                Entity(_md.GetCustomAttribute(attribute).Constructor);
            }
        }

        private void At(string member)
        {
            _fromMember = member;
            _names.Seen.Clear();
        }

        /// <summary>Records the types a decoded signature mentioned; returns the principal one.</summary>
        private T Collect<T>(T decoded)
        {
            Flush();
            return decoded;
        }

        private void Flush()
        {
            foreach (string type in _names.Seen)
            {
                Add(type, null);
            }

            _names.Seen.Clear();
        }

        private void Add(string toType, string? toMember) =>
            References.Add(new CodeReference(_fromType, _fromMember, toType, toMember));

        private string Outermost(TypeDefinitionHandle handle)
        {
            var type = _md.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                handle = type.GetDeclaringType();
                type = _md.GetTypeDefinition(handle);
            }

            return _names.GetTypeFromDefinition(_md, handle, 0);
        }

        private string NestedPrefix(TypeDefinitionHandle handle)
        {
            var names = new List<string>();
            var type = _md.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                names.Insert(0, _md.GetString(type.Name));
                type = _md.GetTypeDefinition(type.GetDeclaringType());
            }

            return string.Join('.', names);
        }

        private static string Member(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";
    }

    /// <summary>
    /// Names types in signatures; each named type definition or reference is noted in
    /// <see cref="Seen"/>. The string a signature decodes to is its principal type (the generic
    /// type of an instantiation, the element type of an array).
    /// </summary>
    private sealed class TypeNames : ISignatureTypeProvider<string, object?>
    {
        public List<string> Seen { get; } = [];

        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeDefinition(handle);
            string name = type.IsNested
                ? $"{GetTypeFromDefinition(reader, type.GetDeclaringType(), 0)}+{reader.GetString(type.Name)}"
                : Qualified(reader.GetString(type.Namespace), reader.GetString(type.Name));
            Seen.Add(name);
            return name;
        }

        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var type = reader.GetTypeReference(handle);
            string name = type.ResolutionScope.Kind == HandleKind.TypeReference
                ? $"{GetTypeFromReference(reader, (TypeReferenceHandle)type.ResolutionScope, 0)}+{reader.GetString(type.Name)}"
                : Qualified(reader.GetString(type.Namespace), reader.GetString(type.Name));
            Seen.Add(name);
            return name;
        }

        public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => $"System.{typeCode}";

        public string GetSZArrayType(string elementType) => elementType;

        public string GetArrayType(string elementType, ArrayShape shape) => elementType;

        public string GetByReferenceType(string elementType) => elementType;

        public string GetPointerType(string elementType) => elementType;

        public string GetPinnedType(string elementType) => elementType;

        public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments) => genericType;

        public string GetGenericMethodParameter(object? genericContext, int index) => $"!!{index}";

        public string GetGenericTypeParameter(object? genericContext, int index) => $"!{index}";

        public string GetFunctionPointerType(MethodSignature<string> signature) => "method*";

        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;

        private static string Qualified(string ns, string name) => ns.Length == 0 ? name : $"{ns}.{name}";
    }
}
