using System.Management.Automation;
using PipelineOps.Staging;

namespace PipelineOps.Commands;

/// <summary>Get-ManifestEntry: reads a dataset's manifest of processed files.</summary>
[Cmdlet(VerbsCommon.Get, "ManifestEntry", DefaultParameterSetName = ManifestSet, HelpUri = HelpLinks.Docs + "Get-ManifestEntry.md")]
[OutputType(typeof(ManifestEntry))]
public sealed class GetManifestEntryCommand : ManifestPathCommand
{
    /// <summary>Only entries added at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only entries added before this time.</summary>
    [Parameter]
    public DateTime? Until { get; set; }

    /// <summary>Only entries whose raw path matches this wildcard pattern.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? RawPattern { get; set; }

    /// <summary>Only entries whose bronze path matches this wildcard pattern.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? BronzePattern { get; set; }

    /// <summary>Only the last N matching entries.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Tail { get; set; }

    protected override void EndProcessing()
    {
        var file = ManifestFile;
        if (!File.Exists(file))
        {
            WriteError(new ErrorRecord(new FileNotFoundException($"Cannot find the manifest '{file}'.", file),
                "ManifestNotFound", ErrorCategory.ObjectNotFound, file));
            return;
        }

        var raw = RawPattern is null ? null : new WildcardPattern(RawPattern, WildcardOptions.IgnoreCase);
        var bronze = BronzePattern is null ? null : new WildcardPattern(BronzePattern, WildcardOptions.IgnoreCase);
        var since = Since?.ToUniversalTime();
        var until = Until?.ToUniversalTime();
        var last = Tail > 0 ? new Queue<ManifestEntry>(Tail) : null;
        foreach (var entry in PipelineOps.Staging.Manifest.Read(file, bad => WriteWarning($"{file}, line {bad.Line}: {bad.Error}")))
        {
            var added = entry.Added ?? entry.Mtime;
            if ((since is { } s && added < s) || (until is { } u && added >= u)
                || (raw is not null && !raw.IsMatch(entry.Raw)) || (bronze is not null && !bronze.IsMatch(entry.Bronze)))
            {
                continue;
            }

            if (last is null)
            {
                WriteObject(entry);
                continue;
            }

            if (last.Count == Tail)
            {
                last.Dequeue();
            }

            last.Enqueue(entry);
        }

        if (last is not null)
        {
            WriteObject(last, enumerateCollection: true);
        }
    }
}
