using System.Diagnostics;

namespace Rx.Network.Reliability.Tests;

/// <summary>
/// Hosts in network namespaces, each joined to the root namespace (where the test's own network
/// runs) by a veth pair on its own /24. Made by the test and removed in <see cref="Dispose"/>
/// whatever happened; names are unique per process and lab.
/// </summary>
internal sealed class NetnsLab : IDisposable
{
    private static int counter;
    private readonly List<string> namespaces = [];
    private readonly List<string> links = [];
    private readonly string prefix;
    private readonly int octet;

    public NetnsLab()
    {
        int id = Interlocked.Increment(ref counter);
        prefix = $"rx{Environment.ProcessId % 100000}{id}";
        octet = 100 + ((Environment.ProcessId + (id * 37)) % 150);
    }

    /// <summary>Why the lab cannot run here, or null when it can (root, and <c>ip netns</c> works).</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "network namespaces are Linux only";
        }

        if (Run("id", "-u").Output.Trim() != "0")
        {
            return "not root (id -u is not 0): creating network namespaces needs root";
        }

        var (code, _, error) = Run("ip", "netns", "list");
        return code == 0 ? null : $"`ip netns` is unavailable: {error.Trim()}";
    }

    /// <summary>Adds host <paramref name="index"/> (1-based): namespace, veth pair, addresses; returns the host's IPv4 address.</summary>
    public string AddHost(int index)
    {
        string ns = $"{prefix}h{index}";
        string outside = $"{prefix}o{index}";
        string inside = $"{prefix}i{index}";
        string subnet = $"10.{octet}.{index}";
        Must("ip", "netns", "add", ns);
        namespaces.Add(ns);
        Must("ip", "link", "add", outside, "type", "veth", "peer", "name", inside);
        links.Add(outside);
        Must("ip", "link", "set", inside, "netns", ns);
        Must("ip", "addr", "add", $"{subnet}.1/24", "dev", outside);
        Must("ip", "link", "set", outside, "up");
        Must("ip", "netns", "exec", ns, "ip", "addr", "add", $"{subnet}.2/24", "dev", inside);
        Must("ip", "netns", "exec", ns, "ip", "link", "set", inside, "up");
        Must("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
        return $"{subnet}.2";
    }

    public string Namespace(int index) => $"{prefix}h{index}";

    /// <summary>Cuts (or heals) the link to host <paramref name="index"/> on the root side.</summary>
    public void SetLink(int index, bool up) => Must("ip", "link", "set", $"{prefix}o{index}", up ? "up" : "down");

    public void Dispose()
    {
        foreach (var link in links)
        {
            Run("ip", "link", "del", link);
        }

        foreach (var ns in namespaces)
        {
            Run("ip", "netns", "del", ns);
        }
    }

    private static void Must(string file, params string[] arguments)
    {
        var (code, output, error) = Run(file, arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"`{file} {string.Join(' ', arguments)}` failed ({code}): {error}{output}");
        }
    }

    private static (int Code, string Output, string Error) Run(string file, params string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(info)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                return (-1, "", "timed out");
            }

            return (process.ExitCode, output.Result, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }
}
