namespace PipelineOps.Conversion;

/// <summary>
/// Runs row-group encoding on a second core while the next rows are parsed, one group at a time: starting a new
/// job first waits for the previous one, so at most one row group per source is in flight and memory stays
/// bounded. An encoding failure surfaces at the next <see cref="Run"/> or at <see cref="Drain"/>.
/// </summary>
/// <param name="newWriter">Makes a chunk writer (with the file's codec); one serves the jobs, a second the other half
/// of a row group encoded on two cores at once.</param>
internal sealed class EncoderLane(Func<ChunkWriter> newWriter) : IDisposable
{
    private readonly ChunkWriter _chunks = newWriter();
    private ChunkWriter? _second;
    private Task _pending = Task.CompletedTask;

    /// <summary>Writes the column chunks for the jobs; they run one at a time, so one writer serves them all.</summary>
    public ChunkWriter Chunks => _chunks;

    /// <summary>A second writer, for <see cref="Split"/>.</summary>
    public ChunkWriter Second => _second ??= newWriter();

    /// <summary>
    /// Runs <paramref name="first"/> here and <paramref name="second"/> on another core at once, once the job in flight
    /// is done: for a file's last row group, when the parsing thread has nothing left to parse and would only wait.
    /// </summary>
    public void Split(Action first, Action second)
    {
        Drain();
        var other = Task.Run(second);
        try
        {
            first();
        }
        finally
        {
            other.GetAwaiter().GetResult();
        }
    }

    public void Run(Action job)
    {
        Drain();
        _pending = Task.Run(job);
    }

    /// <summary>Waits for the job in flight; rethrows its failure.</summary>
    public void Drain() => _pending.GetAwaiter().GetResult();

    /// <summary>Frees the writers once no job can be in flight.</summary>
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

        _chunks.Dispose();
        _second?.Dispose();
    }
}
