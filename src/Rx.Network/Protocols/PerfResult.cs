namespace Rx.Network.Protocols;

/// <summary>The outcome of one perf exchange.</summary>
/// <param name="UploadBytes">Bytes sent.</param>
/// <param name="DownloadBytes">Bytes received.</param>
/// <param name="UploadTime">From the request to the first byte (or end) of the server's answer, which it sends only after draining the upload.</param>
/// <param name="DownloadTime">From the first byte of the answer to its end.</param>
public sealed record PerfResult(long UploadBytes, long DownloadBytes, TimeSpan UploadTime, TimeSpan DownloadTime)
{
    /// <summary>Upload throughput in megabytes (10^6 bytes) per second.</summary>
    public double UploadMegabytesPerSecond => UploadBytes / Math.Max(UploadTime.TotalSeconds, 1e-9) / 1e6;

    /// <summary>Download throughput in megabytes (10^6 bytes) per second.</summary>
    public double DownloadMegabytesPerSecond => DownloadBytes / Math.Max(DownloadTime.TotalSeconds, 1e-9) / 1e6;
}
