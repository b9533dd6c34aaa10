using System.Reflection;
using System.Reflection.Emit;

namespace Rx.Network.Tests.Architecture;

/// <summary>
/// The checker over a small assembly emitted here (<see cref="PersistedAssemblyBuilder"/>): it must
/// report exactly the references that break a synthetic map, wherever the IL carries them.
/// </summary>
public sealed class LayerCheckerTests
{
    private static readonly LayerMap Map = new(
    [
        Layer.Of("Low", "Fixture.Low", "Fixture.Low.Inner"),
        Layer.OfTypes("Pinned", "Fixture.High.PinnedLow"),
        Layer.Of("High", "Fixture.High"),
    ]);

    private static readonly Lazy<IReadOnlyList<CodeReference>> Fixture = new(EmitFixture);

    [Fact]
    public void Check_ReportsACallUpTheOrder_WithTypeAndMember()
    {
        var violations = LayerChecker.Check(Map, Fixture.Value);

        Assert.Contains(violations, v => v.Reference == new CodeReference("Fixture.Low.Caller", "CallsUp", "Fixture.High.Service", "Work")
            && v.Why == "layer Low references the higher layer High");
    }

    [Fact]
    public void Check_ReportsFieldsBaseTypesAndObjectCreationUpTheOrder()
    {
        var violations = LayerChecker.Check(Map, Fixture.Value);

        Assert.Contains(violations, v => v.Reference == new CodeReference("Fixture.Low.Caller", "held", "Fixture.High.Service", null));
        Assert.Contains(violations, v => v.Reference == new CodeReference("Fixture.Low.Derived", "(type)", "Fixture.High.Service", null));
        Assert.Contains(violations, v => v.Reference == new CodeReference("Fixture.Low.Caller", "Creates", "Fixture.High.Service", ".ctor"));
    }

    [Fact]
    public void Check_ReportsACycleBetweenNamespacesOfOneLayer()
    {
        var violations = LayerChecker.Check(Map, Fixture.Value);

        Assert.Contains(violations, v => v.Reference.FromType == "Fixture.Low.Inner.Helper" && v.Reference.ToType == "Fixture.Low.Caller"
            && v.Why == "closes the cycle Fixture.Low.Inner -> Fixture.Low -> Fixture.Low.Inner");
        Assert.Contains(violations, v => v.Reference.FromType == "Fixture.Low.Caller" && v.Reference.ToType == "Fixture.Low.Inner.Helper"
            && v.Why == "closes the cycle Fixture.Low -> Fixture.Low.Inner -> Fixture.Low");
    }

    [Fact]
    public void Check_AllowsReferencesDownTheOrder_AndAssignsPinnedTypesByName()
    {
        var violations = LayerChecker.Check(Map, Fixture.Value);

        // High -> Low and High -> Pinned run down; Pinned (a type of namespace High, placed lower by
        // name) -> High runs up.
        Assert.DoesNotContain(violations, v => v.Reference.FromType == "Fixture.High.Service");
        Assert.Contains(violations, v => v.Reference == new CodeReference("Fixture.High.PinnedLow", "Uses", "Fixture.High.Service", "Work"));
        // Each member reference comes with the reference to its declaring type.
        Assert.Equal(
            [
                "Fixture.High.PinnedLow::Uses -> Fixture.High.Service",
                "Fixture.High.PinnedLow::Uses -> Fixture.High.Service::Work",
                "Fixture.Low.Caller::CallsUp -> Fixture.High.Service",
                "Fixture.Low.Caller::CallsUp -> Fixture.High.Service::Work",
                "Fixture.Low.Caller::Creates -> Fixture.High.Service",
                "Fixture.Low.Caller::Creates -> Fixture.High.Service::.ctor",
                "Fixture.Low.Caller::held -> Fixture.High.Service",
                "Fixture.Low.Derived::(type) -> Fixture.High.Service",
                "Fixture.Low.Derived::.ctor -> Fixture.High.Service",
                "Fixture.Low.Derived::.ctor -> Fixture.High.Service::.ctor",
            ],
            violations.Where(v => v.Why.StartsWith("layer", StringComparison.Ordinal)).Select(v => v.Reference.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Unmapped_NamesTypesOutsideEveryLayer()
    {
        Assert.Equal(["Fixture.Stray.Lost"], LayerChecker.Unmapped(Map, Fixture.Value, "Fixture"));
    }

    [Fact]
    public void LayerMap_RejectsATypeInTwoLayers()
    {
        Assert.Throws<ArgumentException>(() => new LayerMap([Layer.OfTypes("A", "X.T"), Layer.OfTypes("B", "X.T")]));
        Assert.Throws<ArgumentException>(() => new LayerMap([Layer.Of("A", "X"), Layer.Of("B", "X")]));
    }

    /// <summary>
    /// Low.Caller: a field of High.Service, a method calling High.Service.Work, one creating it, one
    /// calling Low.Inner.Helper; Low.Derived derives from High.Service; Low.Inner.Helper calls back into
    /// Low.Caller (a namespace cycle inside Low); High.Service calls down into Low.Caller;
    /// High.PinnedLow (pinned below High by name) calls High.Service.Work; Stray.Lost is in no layer.
    /// </summary>
    private static IReadOnlyList<CodeReference> EmitFixture()
    {
        var assembly = new PersistedAssemblyBuilder(new AssemblyName("Fixture"), typeof(object).Assembly);
        var module = assembly.DefineDynamicModule("Fixture");

        var service = module.DefineType("Fixture.High.Service", TypeAttributes.Public | TypeAttributes.Class);
        var serviceCtor = service.DefineDefaultConstructor(MethodAttributes.Public);
        var work = service.DefineMethod("Work", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
        work.GetILGenerator().Emit(OpCodes.Ret);

        var caller = module.DefineType("Fixture.Low.Caller", TypeAttributes.Public | TypeAttributes.Class);
        caller.DefineField("held", service, FieldAttributes.Private);
        var touch = caller.DefineMethod("Touch", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
        touch.GetILGenerator().Emit(OpCodes.Ret);

        var helper = module.DefineType("Fixture.Low.Inner.Helper", TypeAttributes.Public | TypeAttributes.Class);
        var help = helper.DefineMethod("Help", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes);
        Body(help, il => il.Emit(OpCodes.Call, touch));

        Body(caller.DefineMethod("CallsUp", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes), il =>
        {
            // A switch first: the reader must step over its jump table to find the call after it.
            var end = il.DefineLabel();
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Switch, [end, end, end]);
            il.MarkLabel(end);
            il.Emit(OpCodes.Call, work);
        });
        Body(caller.DefineMethod("Creates", MethodAttributes.Public | MethodAttributes.Static, typeof(object), Type.EmptyTypes), il =>
            il.Emit(OpCodes.Newobj, serviceCtor));
        Body(caller.DefineMethod("Helps", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes), il =>
            il.Emit(OpCodes.Call, help));
        Body(service.DefineMethod("CallsDown", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes), il =>
            il.Emit(OpCodes.Call, touch));

        service.CreateType();
        var derived = module.DefineType("Fixture.Low.Derived", TypeAttributes.Public | TypeAttributes.Class, service);
        derived.DefineDefaultConstructor(MethodAttributes.Public);

        var pinned = module.DefineType("Fixture.High.PinnedLow", TypeAttributes.Public | TypeAttributes.Class);
        Body(pinned.DefineMethod("Uses", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes), il =>
            il.Emit(OpCodes.Call, work));

        var lost = module.DefineType("Fixture.Stray.Lost", TypeAttributes.Public | TypeAttributes.Class);
        Body(lost.DefineMethod("Go", MethodAttributes.Public | MethodAttributes.Static, typeof(void), Type.EmptyTypes), il =>
            il.Emit(OpCodes.Call, touch));

        foreach (var type in new[] { caller, helper, derived, pinned, lost })
        {
            type.CreateType();
        }

        using var image = new MemoryStream();
        assembly.Save(image);
        image.Position = 0;
        return AssemblyReferenceReader.Read(image);
    }

    private static void Body(MethodBuilder method, Action<ILGenerator> emit)
    {
        var il = method.GetILGenerator();
        emit(il);
        if (method.ReturnType != typeof(void))
        {
            il.Emit(OpCodes.Pop);
            il.Emit(OpCodes.Ldnull);
        }

        il.Emit(OpCodes.Ret);
    }
}
