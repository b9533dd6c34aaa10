using System.Reactive.Linq;
using System.Text;
using Rx.Network;
using Rx.Network.Examples.KeyValue;
using Rx.Network.Peerstore;

// kv: a request/reply key-value service between three peers over TCP loopback (Noise, yamux).
// One peer serves /rxnet/kv/1.0.0; alice and bob GET, PUT and DELETE keys on it. Prints what
// happens, then "ok: …" and exits 0; prints "failed: …" and exits 1 when something goes wrong.
try
{
    await using var storeNode = await new NetworkBuilder().ListenOn("/ip4/127.0.0.1/tcp/0").StartAsync();
    using var store = new KeyValueStore(storeNode, maxEntries: 100, maxValueSize: 1024);
    using var changeLog = store.Changes.Subscribe(c =>
        Console.WriteLine(c.IsDelete ? $"store: {Short(c.Peer)} deleted {c.Key}" : $"store: {Short(c.Peer)} put {c.Key} ({c.Value!.Value.Length} bytes)"));
    Console.WriteLine($"store {storeNode.LocalPeer} at {storeNode.ListenAddresses[0]}");

    await using var aliceNode = await new NetworkBuilder().StartAsync();
    await using var bobNode = await new NetworkBuilder().StartAsync();
    foreach (var client in new[] { aliceNode, bobNode })
    {
        client.Peerstore.AddAddresses(storeNode.LocalPeer, storeNode.ListenAddresses, AddressTtl.Temporary);
    }

    using var alice = new KeyValueClient(aliceNode);
    using var bob = new KeyValueClient(bobNode);
    var server = storeNode.LocalPeer;

    await alice.PutAsync(server, "greeting", "hello"u8.ToArray());
    Console.WriteLine($"bob: GET greeting = {Text(await bob.GetAsync(server, "greeting"))}");
    await bob.PutAsync(server, "greeting", "hi from bob"u8.ToArray());
    Console.WriteLine($"alice: GET greeting = {Text(await alice.GetAsync(server, "greeting"))}");
    Console.WriteLine($"alice: DELETE greeting = {await alice.DeleteAsync(server, "greeting")}");
    Console.WriteLine($"bob: GET greeting = {Text(await bob.GetAsync(server, "greeting"))}");
    Console.WriteLine($"bob: DELETE greeting = {await bob.DeleteAsync(server, "greeting")}");

    // Twenty PUTs from both clients at once, then every key read back: Rx composes the requests.
    int written = await Observable.Range(0, 20)
        .Select(i => Observable.FromAsync(ct => (i % 2 == 0 ? alice : bob).PutAsync(server, $"key/{i}", Encoding.UTF8.GetBytes($"value {i}"), ct)))
        .Merge(maxConcurrent: 8)
        .Count();
    var readBack = await Observable.Range(0, 20)
        .Select(i => Observable.FromAsync(async ct => (Key: i, Value: await bob.GetAsync(server, $"key/{i}", ct))))
        .Merge(maxConcurrent: 8)
        .ToList();
    int matching = readBack.Count(r => r.Value is { } value && Encoding.UTF8.GetString(value) == $"value {r.Key}");
    Console.WriteLine($"alice and bob: {written} concurrent PUTs, {matching} of {readBack.Count} read back intact; the store holds {store.Count} keys");

    try
    {
        await alice.PutAsync(server, "too-big", new byte[2048]);
        Console.WriteLine("failed: the store accepted a value above its limit");
        return 1;
    }
    catch (KeyValueRefusedException e)
    {
        Console.WriteLine($"alice: PUT too-big refused: {e.Message}");
    }

    if (matching != 20 || store.Count != 20)
    {
        Console.WriteLine("failed: the store lost or mangled values");
        return 1;
    }

    Console.WriteLine($"ok: {written + readBack.Count + 7} requests answered");
    return 0;
}
catch (Exception e)
{
    Console.WriteLine($"failed: {e.GetType().Name}: {e.Message}");
    return 1;
}

static string Text(byte[]? value) => value is null ? "(not found)" : $"\"{Encoding.UTF8.GetString(value)}\"";

static string Short(Rx.Network.Identity.PeerId peer) => peer.ToString()[^6..];
