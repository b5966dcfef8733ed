using System.Collections.Concurrent;
using PipelineOps.IO;

namespace PipelineOps.Conversion;

/// <summary>
/// One conversion run into a destination. It holds the destination's lock (_pipelineops/lock) for its lifetime,
/// so two runs never write one dataset at once; because no one else can be writing, hidden temporary files left
/// by a run that was killed are removed at the start. Sources convert in parallel up to a throttle.
/// </summary>
public sealed class ConversionRun : IDisposable
{
    private readonly FileStream _lock;
    private readonly JsonlConverter _converter;

    private ConversionRun(ConversionOptions options, FileStream lockFile, ConversionLedger ledger, DatasetSchema schema, int orphansRemoved)
    {
        Options = options;
        _lock = lockFile;
        Ledger = ledger;
        Schema = schema;
        OrphansRemoved = orphansRemoved;
        _converter = new JsonlConverter(options, ledger, schema: schema);
    }

    public ConversionOptions Options { get; }

    public ConversionLedger Ledger { get; }

    /// <summary>The dataset's one schema, widened as files are converted.</summary>
    public DatasetSchema Schema { get; }

    /// <summary>Temporary files of an interrupted earlier run that were removed.</summary>
    public int OrphansRemoved { get; }

    /// <exception cref="IOException">Another run holds the destination, or it cannot be written.</exception>
    public static ConversionRun Open(ConversionOptions options)
    {
        var state = Path.Combine(options.Destination, "_pipelineops");
        Directory.CreateDirectory(state);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(state, "lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"Another conversion into '{options.Destination}' is running (its lock is held).", e);
        }

        try
        {
            var orphans = RemoveOrphans(options.Destination);
            return new ConversionRun(options, lockFile, ConversionLedger.Load(options.Destination), DatasetSchema.Load(options.Destination), orphans);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    public ConversionResult Convert(string source, IProgress<ConversionProgress>? progress = null, CancellationToken cancellationToken = default) =>
        _converter.Convert(source, progress, cancellationToken);

    /// <summary>
    /// Converts sources on up to <paramref name="throttle"/> threads. Results arrive through
    /// <paramref name="onResult"/> in completion order, from worker threads.
    /// </summary>
    public void ConvertAll(IReadOnlyList<string> sources, int throttle, Action<ConversionResult> onResult,
        IProgress<ConversionProgress>? progress, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, throttle), CancellationToken = cancellationToken };
        // No buffering: each worker takes the next source in order, one at a time.
        var inOrder = Partitioner.Create(sources, EnumerablePartitionerOptions.NoBuffering);
        Parallel.ForEach(inOrder, options, source => onResult(_converter.Convert(source, progress, cancellationToken)));
    }

    public void Dispose() => _lock.Dispose();

    private static int RemoveOrphans(string destination)
    {
        var removed = 0;
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        foreach (var path in Directory.EnumerateFiles(destination, ".*", options))
        {
            if (Durable.IsTempName(Path.GetFileName(path)))
            {
                File.Delete(path);
                removed++;
            }
        }

        return removed;
    }
}
