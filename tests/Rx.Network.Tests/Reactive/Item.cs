namespace Rx.Network.Tests.Reactive;

/// <summary>A cache value for the tests: a key and a version that tells updates apart.</summary>
internal sealed record Item(string Key, int Version)
{
    public override string ToString() => $"{Key}@{Version}";
}
