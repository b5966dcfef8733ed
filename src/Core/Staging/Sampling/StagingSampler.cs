using PipelineOps.IO;

namespace PipelineOps.Staging.Sampling;

/// <summary>
/// One sampler pass over a dataset: read the manifest from where the last pass stopped, sample each new entry's bronze
/// file into samples/ (mirroring its place under bronze/), and move the state on. A source whose sample already
/// carries its mtime is not read again. Entries that point outside the dataset, directly or through a symbolic link,
/// are refused. A crash mid-pass repeats at most the last batch, whose samples are then up to date.
/// </summary>
public sealed class StagingSampler(DatasetLayout layout, SampleOptions options)
{
    // Samples are not flushed one by one: the file system is flushed once before the state moves past them.
    private readonly SampleOptions _batchOptions = options with { FlushEach = false };

    private const int SaveEvery = 1000;

    /// <summary>Called with a warning the pass wants the user to see (a replaced manifest, bad lines).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>Entries read by the last pass.</summary>
    public long EntriesRead { get; private set; }

    public IEnumerable<SampleResult> Run(CancellationToken cancellationToken = default)
    {
        var manifest = layout.ManifestFile;
        if (!File.Exists(manifest))
        {
            throw new FileNotFoundException($"The dataset has no manifest '{manifest}' yet.", manifest);
        }

        var state = LoadState();
        if (options.Force)
        {
            state = SamplerState.Start;
        }
        else if (!state.Matches(manifest))
        {
            Warn?.Invoke($"The manifest '{manifest}' no longer begins as it did when the sampler last read it (replaced or truncated): reading it from the start.");
            state = SamplerState.Start;
        }

        var root = RealPath.Canonical(layout.Folder);
        var pending = 0;
        var position = state;
        var saved = state;
        var passed = state; // past the last bad line, which is reported once and never read again
        foreach (var entry in Manifest.Read(manifest, state.Offset, state.Lines, bad =>
                 {
                     Warn?.Invoke($"{manifest}, line {bad.Line}: {bad.Error}; passed over.");
                     passed = passed with { Offset = bad.End, Lines = bad.Line };
                 }))
        {
            cancellationToken.ThrowIfCancellationRequested();
            EntriesRead++;
            yield return SampleEntry(entry, root, cancellationToken);
            position = position with { Offset = entry.End, Lines = entry.Line };
            if (++pending == SaveEvery)
            {
                Save(position);
                saved = position;
                pending = 0;
            }
        }

        if (passed.Offset > position.Offset)
        {
            position = passed;
        }

        if (position != saved)
        {
            Save(position);
        }
    }

    /// <summary>Samples one manifest entry into the dataset's samples/ (or <paramref name="destination"/>), after
    /// checking it stays inside the dataset.</summary>
    /// <remarks>The file is opened first and judged on what was opened: a symbolic link anywhere in its path must
    /// resolve inside the dataset, and a file with more than one hard link is refused, since its other name may lie
    /// outside (Copy-ToBronze never makes one: its rename leaves one name).</remarks>
    public SampleResult SampleEntry(ManifestEntry entry, string canonicalRoot, CancellationToken cancellationToken, string? destination = null)
    {
        try
        {
            var source = layout.Resolve(entry.Bronze);
            if (source is null)
            {
                return Refused(entry, $"manifest line {entry.Line}: bronze path '{entry.Bronze}' lies outside the dataset '{layout.Folder}'");
            }

            var result = DataSampler.Sample(source, destination ?? SampleFolderFor(source), _batchOptions with { Within = canonicalRoot }, cancellationToken);
            return result.Status == SampleStatus.Failed ? result with { Reason = $"manifest line {entry.Line}: {result.Reason}" } : result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Refused(entry, $"manifest line {entry.Line}: {e.Message}");
        }
    }

    /// <summary>samples/ mirrors bronze/: bronze/2026/01/18/x.csv is sampled into samples/2026/01/18/.</summary>
    public string SampleFolderFor(string source)
    {
        var relative = layout.Relative(Path.GetDirectoryName(source)!);
        if (relative == "bronze" || relative.StartsWith("bronze/", StringComparison.Ordinal))
        {
            relative = relative.Length == 6 ? "" : relative[7..];
        }

        return Path.Combine(layout.Samples, relative);
    }

    private SamplerState LoadState()
    {
        try
        {
            return SamplerState.Load(layout.SamplerStateFile) ?? SamplerState.Start;
        }
        catch (InvalidDataException e)
        {
            Warn?.Invoke(e.Message + " Reading the manifest from the start; unchanged sources are not sampled again.");
            return SamplerState.Start;
        }
    }

    private void Save(SamplerState position)
    {
        Durable.FlushFileSystem(layout.Folder); // the samples first, so the state never gets ahead of them
        SamplerState.At(layout.ManifestFile, position.Offset, position.Lines).Save(layout.SamplerStateFile);
    }

    private static SampleResult Refused(ManifestEntry entry, string reason) =>
        new(entry.Bronze, null, "unknown", 0, 0, SampleStatus.Failed, reason);
}
