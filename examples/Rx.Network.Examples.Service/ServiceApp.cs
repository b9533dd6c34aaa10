using OpenTelemetry.Metrics;

namespace Rx.Network.Examples.Service;

/// <summary>
/// The service: an Rx.Network node hosted by ASP.NET Core through <c>AddRxNetwork</c>, configured
/// from the <c>RxNetwork</c> section (appsettings.json, environment, command line), with three
/// endpoints: <c>GET /node</c>, <c>GET /peers</c> and <c>GET /metrics</c> (Prometheus text of the
/// <c>Rx.Network</c> meter, through OpenTelemetry).
/// </summary>
public static class ServiceApp
{
    /// <summary>Builds the application; run it with <c>RunAsync</c>, or start and stop it (tests).</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--urls http://127.0.0.1:0 --RxNetwork:Listen:0 /ip4/127.0.0.1/tcp/0</c>.</param>
    /// <returns>The application, not yet started.</returns>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddRxNetwork(builder.Configuration.GetSection("RxNetwork"));
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddMeter(RxNetworkTelemetry.MeterName)
                .AddPrometheusExporter());

        var app = builder.Build();
        app.MapGet("/node", (INetwork network) => new NodeInfo(
            network.LocalPeer.ToString(),
            network.ListenAddresses.Select(address => $"{address}/p2p/{network.LocalPeer}").ToList()));
        app.MapGet("/peers", (INetwork network) => network.PeerStatuses.Items
            .Select(PeerRow.From)
            .OrderBy(row => row.Peer, StringComparer.Ordinal)
            .ToList());
        app.MapPrometheusScrapingEndpoint();
        return app;
    }
}
