using System.Reflection;

namespace Rx.Network.Interactive;

/// <summary>
/// Keeps warning CS1701 ("assuming assembly reference … matches identity …") out of a notebook's
/// outputs. Every cell that uses an Rx LINQ operator binds System.Reactive's expression-tree
/// overloads, compiled against an older System.Linq.Expressions than the running .NET, and the
/// C# kernel's script compiler (which unifies assembly versions the .NET Framework way, without the
/// SDK's default <c>NoWarn</c> of 1701) reports the version difference after every such cell. The
/// warning has no source location, so <c>#pragma warning disable</c> cannot reach it, and the
/// kernel has no setting for it (dotnet/interactive#762, dotnet/roslyn#5501).
/// </summary>
/// <remarks>
/// The only lever the compiler offers is the warning level: CS1701 is a level-2 warning, so the C#
/// kernel's scripts are compiled at level 1, which keeps the errors and the level-1 warnings (all
/// the nullable-reference warnings among them) and drops the lesser ones (unused variables,
/// unreachable code, obsolete members). The kernel keeps its script options in a private field;
/// when a kernel version does not, nothing changes and <see cref="LowerToLevelOne"/> says so.
/// </remarks>
public static class KernelWarnings
{
    private const string ScriptOptionsField = "_scriptOptions";

    /// <summary>Compiles the C# kernel's later cells at warning level 1, hiding CS1701.</summary>
    /// <param name="csharpKernel">The C# kernel (<c>Microsoft.DotNet.Interactive.Kernel.Current</c> in a C# cell).</param>
    /// <returns>Whether the level was changed (false: not a C# kernel this version knows).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="csharpKernel"/> is null.</exception>
    public static bool LowerToLevelOne(object csharpKernel)
    {
        ArgumentNullException.ThrowIfNull(csharpKernel);
        var field = csharpKernel.GetType().GetField(ScriptOptionsField, BindingFlags.Instance | BindingFlags.NonPublic);
        if (field?.GetValue(csharpKernel) is not { } options
            || options.GetType().GetMethod("WithWarningLevel", [typeof(int)]) is not { } withWarningLevel)
        {
            return false;
        }

        field.SetValue(csharpKernel, withWarningLevel.Invoke(options, [1]));
        return true;
    }
}
