namespace PipelineOps.Collection.Sources;

/// <summary>Where records come from. A source runs until cancelled, handing each message to the context.</summary>
public interface IRecordSource
{
    /// <summary>What it reads, for the Collector object (ws://..., demo, pipeline).</summary>
    string Description { get; }

    Task RunAsync(SourceContext context, CancellationToken cancellationToken);
}

/// <summary>What a source can do with the collector: hand over messages, report reconnects and problems.</summary>
public sealed class SourceContext(
    Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> emit,
    Action reconnected,
    Action<string> error,
    Action<ReadOnlyMemory<byte>, long, string>? reject = null,
    Action<string>? warn = null)
{
    /// <summary>Hands one message (a JSON object) to the collector's queue; waits or drops when full, per -Backpressure.</summary>
    public ValueTask EmitAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => emit(message, cancellationToken);

    public void Reconnected() => reconnected();

    /// <summary>A problem the source recovers from (it retries): counted in Errors, shown as a warning.</summary>
    public void Error(string message) => error(message);

    /// <summary>A message the source cannot hand on (undecodable, oversize): its head and size go to _rejects/, counted in Rejected.</summary>
    public void Reject(ReadOnlyMemory<byte> head, long size, string why) => (reject ?? ((_, _, w) => error(w)))(head, size, why);

    /// <summary>Something the user should know that is not a failure (a check switched off).</summary>
    public void Warn(string message) => (warn ?? error)(message);
}
