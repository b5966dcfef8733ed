namespace PipelineOps.Conversion;

/// <summary>
/// Runs row-group encoding on a second core while the next rows are parsed, one group at a time: starting a new
/// job first waits for the previous one, so at most one row group per source is in flight and memory stays
/// bounded. An encoding failure surfaces at the next <see cref="Run"/> or at <see cref="Drain"/>.
/// </summary>
internal sealed class EncoderLane(ChunkWriter chunks) : IDisposable
{
    private Task _pending = Task.CompletedTask;

    /// <summary>Writes the column chunks for the jobs; they run one at a time, so one writer serves them all.</summary>
    public ChunkWriter Chunks => chunks;

    public void Run(Action job)
    {
        Drain();
        _pending = Task.Run(job);
    }

    /// <summary>Waits for the job in flight; rethrows its failure.</summary>
    public void Drain() => _pending.GetAwaiter().GetResult();

    /// <summary>Frees the text writer once no job can be in flight.</summary>
    public void Dispose()
    {
        try
        {
            _pending.Wait();
        }
        catch (AggregateException)
        {
            // Reported where the job's failure surfaced; only the writer's memory is at stake here.
        }

        chunks.Dispose();
    }
}
