using System.Text.Json;

namespace Rx.Network.Interop.Tests.Fixture;

/// <summary>
/// The JSON lines a js peer logs on stderr, with waiters for a matching line. Lines that are not
/// JSON objects (stray warnings, DEBUG output) are ignored here; the raw text stays in the
/// process's stderr capture.
/// </summary>
internal sealed class JsEventLog
{
    private readonly Lock gate = new();
    private readonly List<JsonElement> events = [];
    private readonly List<(Func<JsonElement, bool> Predicate, TaskCompletionSource<JsonElement> Signal)> waiters = [];

    public static bool TryParse(string line, out JsonElement json)
    {
        json = default;
        var trimmed = line.AsSpan().Trim();
        if (trimmed.Length == 0 || trimmed[0] != '{')
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(line);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            json = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public void Add(string line)
    {
        if (!TryParse(line, out var json))
        {
            return;
        }

        List<TaskCompletionSource<JsonElement>> wake = [];
        lock (gate)
        {
            events.Add(json);
            for (var i = waiters.Count - 1; i >= 0; i--)
            {
                if (waiters[i].Predicate(json))
                {
                    wake.Add(waiters[i].Signal);
                    waiters.RemoveAt(i);
                }
            }
        }

        foreach (var w in wake)
        {
            w.TrySetResult(json);
        }
    }

    public IReadOnlyList<JsonElement> Snapshot()
    {
        lock (gate)
        {
            return [.. events];
        }
    }

    public Task<JsonElement> WaitAsync(Func<JsonElement, bool> predicate)
    {
        lock (gate)
        {
            foreach (var e in events)
            {
                if (predicate(e))
                {
                    return Task.FromResult(e);
                }
            }

            var signal = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((predicate, signal));
            return signal.Task;
        }
    }
}
