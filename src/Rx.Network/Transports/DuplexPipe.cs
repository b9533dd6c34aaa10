using System.IO.Pipelines;

namespace Rx.Network.Transports;

/// <summary>A plain <see cref="IDuplexPipe"/>, and connected in-memory pairs of them.</summary>
internal sealed class DuplexPipe : IDuplexPipe
{
    public DuplexPipe(PipeReader input, PipeWriter output)
    {
        Input = input;
        Output = output;
    }

    /// <inheritdoc/>
    public PipeReader Input { get; }

    /// <inheritdoc/>
    public PipeWriter Output { get; }

    /// <summary>Two ends of an in-memory connection: what one writes the other reads.</summary>
    /// <param name="options">Options for both underlying pipes (bounded by their pause thresholds).</param>
    public static (DuplexPipe A, DuplexPipe B) CreatePair(PipeOptions? options = null)
    {
        var aToB = new Pipe(options ?? PipeOptions.Default);
        var bToA = new Pipe(options ?? PipeOptions.Default);
        return (new DuplexPipe(bToA.Reader, aToB.Writer), new DuplexPipe(aToB.Reader, bToA.Writer));
    }
}
