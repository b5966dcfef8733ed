namespace PipelineOps.Conversion;

/// <summary>
/// Runs row-group encoding on a second core while the next rows are parsed, one group at a time: starting a new
/// job first waits for the previous one, so at most one row group per source is in flight and memory stays
/// bounded. An encoding failure surfaces at the next <see cref="Run"/> or at <see cref="Drain"/>.
/// </summary>
internal sealed class EncoderLane
{
    private Task _pending = Task.CompletedTask;

    public void Run(Action job)
    {
        Drain();
        _pending = Task.Run(job);
    }

    /// <summary>Waits for the job in flight; rethrows its failure.</summary>
    public void Drain() => _pending.GetAwaiter().GetResult();
}
