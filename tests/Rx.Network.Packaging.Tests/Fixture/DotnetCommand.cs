using System.Diagnostics;
using System.Text;

namespace Rx.Network.Packaging.Tests.Fixture;

/// <summary>
/// Runs a program (the <c>dotnet</c> CLI, an installed tool) to completion within a time limit,
/// keeping its output for the failure message. Build servers and MSBuild node reuse are off, so
/// no helper process outlives the command holding its output pipes (or the test run) open.
/// </summary>
internal static class DotnetCommand
{
    /// <summary>The result of a finished command.</summary>
    internal sealed record Result(string CommandLine, int ExitCode, string Output)
    {
        /// <summary>Throws with the whole output unless the command exited with 0.</summary>
        public Result EnsureSuccess()
        {
            if (ExitCode != 0)
            {
                throw new InvalidOperationException($"`{CommandLine}` exited with {ExitCode}:\n{Output}");
            }

            return this;
        }
    }

    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/>.</summary>
    public static Task<Result> RunAsync(string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments) =>
        RunProgramAsync("dotnet", workingDirectory, timeout, environment, arguments);

    /// <summary>Runs <paramref name="program"/> with <paramref name="arguments"/>; throws <see cref="TimeoutException"/> (after killing its process tree) when it outlives <paramref name="timeout"/>.</summary>
    public static async Task<Result> RunProgramAsync(string program, string workingDirectory, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        info.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        info.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        info.Environment["UseSharedCompilation"] = "false";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        string commandLine = $"{program} {string.Join(' ', arguments)}";
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start `{commandLine}`.");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"`{commandLine}` did not finish within {timeout}:\n{Text(output)}");
        }

        return new Result(commandLine, process.ExitCode, Text(output));
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
