using System.Text;
using System.Text.Json;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>The outcome of one <c>node peer.mjs dial</c> run.</summary>
public sealed class JsDialResult
{
    private JsDialResult(int exitCode, IReadOnlyList<JsCheckResult> checks, string standardOutput, string standardError)
    {
        ExitCode = exitCode;
        Checks = checks;
        StandardOutput = standardOutput;
        StandardError = standardError;
    }

    /// <summary>0 when every check passed, 1 when one failed, 2 for a usage error, 3 for the overall timeout.</summary>
    public int ExitCode { get; }

    /// <summary>The check results in the order the dialer reported them.</summary>
    public IReadOnlyList<JsCheckResult> Checks { get; }

    /// <summary>The raw stdout.</summary>
    public string StandardOutput { get; }

    /// <summary>The raw stderr (JSON events and logs).</summary>
    public string StandardError { get; }

    /// <summary>True when the process exited 0 and every reported check passed.</summary>
    public bool AllPassed => ExitCode == 0 && Checks.Count > 0 && Checks.All(c => c.Ok);

    /// <summary>The result of the named check.</summary>
    /// <exception cref="KeyNotFoundException">The dialer reported no such check.</exception>
    public JsCheckResult this[string name] =>
        Checks.FirstOrDefault(c => c.Name == name)
        ?? throw new KeyNotFoundException($"The js dialer reported no '{name}' check.\n{Describe()}");

    /// <summary>A diagnostic summary for assertion messages: exit code, every line, stderr tail.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        sb.Append("js dialer exit code ").Append(ExitCode).Append('\n');
        sb.Append("stdout:\n").Append(StandardOutput);
        sb.Append("stderr:\n").Append(ChildProcess.Tail(StandardError));
        return sb.ToString();
    }

    internal static JsDialResult Parse(int exitCode, string stdout, string stderr)
    {
        List<JsCheckResult> checks = [];
        foreach (var line in stdout.Split('\n'))
        {
            if (!JsEventLog.TryParse(line, out var json)
                || !json.TryGetProperty("check", out var name) || name.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var ok = json.TryGetProperty("ok", out var okValue) && okValue.ValueKind == JsonValueKind.True;
            var error = json.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            checks.Add(new JsCheckResult(name.GetString()!, ok, error, json));
        }

        return new JsDialResult(exitCode, checks, stdout, stderr);
    }
}
