using System.Collections.Concurrent;
using System.IO.Compression;
using System.Management.Automation;
using PipelineOps.Conversion;
using PipelineOps.Files;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Convert-JsonlToParquet: completed JSON-lines files into a date-partitioned Parquet dataset.</summary>
[Cmdlet(VerbsData.Convert, "JsonlToParquet", DefaultParameterSetName = LiteralPathSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Convert-JsonlToParquet.md")]
[OutputType(typeof(ConversionResult))]
public sealed class ConvertJsonlToParquetCommand : ActivityRulesCommand
{
    private readonly List<string> _sources = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private FileActivityInspector? _inspector;
    private ConversionOptions? _options;

    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "";

    [Parameter]
    public SwitchParameter IncludeActive { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] TypeFilter { get; set; } = [];

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TypeField { get; set; } = "type";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeField { get; set; } = "time";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] PartitionBy { get; set; } = [];

    /// <summary>The zone of times written without an offset: UTC, or an IANA or Windows zone id.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Column types by field name: Boolean, Int64, Double, String, Timestamp, Json, or [bool], [long],
    /// [double], [string], [datetime]. An [ordered] dictionary also fixes the column order.</summary>
    [Parameter]
    [ValidateNotNull]
    public System.Collections.IDictionary? Schema { get; set; }

    // Strings, not Core's enums: a value-type field of a Core type would make PowerShell's scan of this assembly
    // load Core before the module's load context is hooked up (see ModuleInitializer).
    [Parameter]
    [ValidateSet(nameof(ParquetCompression.Snappy), nameof(ParquetCompression.Zstd), nameof(ParquetCompression.Gzip),
        nameof(ParquetCompression.Lz4), nameof(ParquetCompression.None))]
    public string Compression { get; set; } = nameof(ParquetCompression.Snappy);

    [Parameter]
    public CompressionLevel CompressionLevel { get; set; } = CompressionLevel.Fastest;

    [Parameter]
    [ValidateRange(1, 100_000_000)]
    public int RowGroupSize { get; set; } = ConversionOptions.DefaultRowGroupSize;

    [Parameter]
    [ValidateSet(nameof(Conversion.BadLinePolicy.Quarantine), nameof(Conversion.BadLinePolicy.Skip), nameof(Conversion.BadLinePolicy.Fail))]
    public string BadLinePolicy { get; set; } = nameof(Conversion.BadLinePolicy.Quarantine);

    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long MaxBadLines { get; set; } = -1;

    /// <summary>Records whose time is not a time: FileDate files them under the date in the file name (the default),
    /// Quarantine sends them to the rejects file with their line number and the reason.</summary>
    [Parameter]
    [ValidateSet(nameof(Conversion.BadTimePolicy.FileDate), nameof(Conversion.BadTimePolicy.Quarantine))]
    public string BadTimePolicy { get; set; } = nameof(Conversion.BadTimePolicy.FileDate);

    [Parameter]
    public SwitchParameter Force { get; set; }

    [Parameter]
    public SwitchParameter Validate { get; set; }

    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 2;

    protected override void BeginProcessing()
    {
        var activity = ActivityOptions();
        var destination = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        DestinationCheck.RequireFolder(this, nameof(Destination), Destination, destination);
        var schema = GivenSchema();
        TimeZoneInfo zone;
        try
        {
            zone = TimeZone.Equals("UTC", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "TimeZoneNotFound", ErrorCategory.InvalidArgument, TimeZone));
            return;
        }

        _options = new ConversionOptions
        {
            Destination = destination,
            TimeField = TimeField,
            TimeZone = zone,
            TypeField = TypeField,
            TypeFilter = new HashSet<string>(TypeFilter, StringComparer.Ordinal),
            PartitionBy = PartitionBy,
            Schema = schema,
            SchemaOrderGiven = Schema is System.Collections.Specialized.IOrderedDictionary,
            Compression = Enum.Parse<ParquetCompression>(Compression, ignoreCase: true),
            CompressionLevel = CompressionLevel,
            RowGroupSize = RowGroupSize,
            BadLinePolicy = Enum.Parse<BadLinePolicy>(BadLinePolicy, ignoreCase: true),
            BadTimePolicy = Enum.Parse<BadTimePolicy>(BadTimePolicy, ignoreCase: true),
            MaxBadLines = MyInvocation.BoundParameters.ContainsKey(nameof(MaxBadLines)) ? MaxBadLines : null,
            Force = Force,
            Validate = Validate,
        };
        _inspector = new FileActivityInspector(activity);
    }

    protected override void ProcessRecord()
    {
        foreach (var input in ResolveInputs())
        {
            if (input.Listing is { } listing)
            {
                var chosen = Filter is null ? listing.Where(f => JsonLinesNames.IsJsonLines(f.Name)) : listing;
                if (IncludeActive)
                {
                    foreach (var file in chosen.Files)
                    {
                        Consider(file.FullPath, null);
                    }
                }
                else
                {
                    foreach (var outcome in _inspector!.InspectListing(chosen, Cancellation.Token))
                    {
                        Consider(outcome.Path, outcome);
                    }
                }
            }
            else
            {
                Consider(input.File!, IncludeActive ? null : _inspector!.TryInspect(new FileInfo(input.File!)));
            }
        }
    }

    protected override void EndProcessing()
    {
        if (_sources.Count == 0)
        {
            return;
        }

        ConversionRun run;
        try
        {
            run = ConversionRun.Open(_options!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(new ErrorRecord(e, "DestinationUnavailable", ErrorCategory.ResourceUnavailable, _options!.Destination));
            return;
        }

        using (run)
        {
            if (run.OrphansRemoved > 0)
            {
                WriteVerbose($"Removed {run.OrphansRemoved} temporary file(s) left by an interrupted earlier run.");
            }

            if (run.Ledger.UnreadableLines > 0)
            {
                WriteWarning($"{run.Ledger.UnreadableLines} line(s) of the ledger '{run.Ledger.Path}' could not be read (a crash mid-write); " +
                             "the sources they described will be converted again.");
            }

            Convert(run);
        }
    }

    private void Convert(ConversionRun run)
    {
        var messages = new BlockingCollection<object>();
        var progress = new Progress(messages);
        var work = Task.Run(() =>
        {
            try
            {
                run.ConvertAll(_sources, ThrottleLimit, messages.Add, progress, Cancellation.Token);
            }
            finally
            {
                messages.CompleteAdding();
            }
        });

        var tracker = new ConversionProgressTracker(_sources);
        foreach (var message in messages.GetConsumingEnumerable())
        {
            switch (message)
            {
                case ConversionResult result:
                    tracker.Done(result);
                    WriteProgress(tracker.Record());
                    Emit(result);
                    break;
                case ConversionProgress step:
                    if (tracker.Update(step))
                    {
                        WriteProgress(tracker.Record());
                    }

                    break;
            }
        }

        try
        {
            work.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            return; // Ctrl+C: unpublished outputs were removed; the ledger still describes what is in place.
        }

        WriteProgress(tracker.Completed());
    }

    private void Emit(ConversionResult result)
    {
        WriteObject(result);
        if (result.Status == ConversionStatus.Failed)
        {
            WriteError(new ErrorRecord(new InvalidDataException($"Cannot convert '{result.Source}': {result.Reason}"),
                "ConversionFailed", ErrorCategory.InvalidData, result.Source));
        }
        else if (result.BadLines > 0)
        {
            WriteWarning($"{result.Source}: {result.BadLines} bad line(s)" +
                         (result.RejectsFile is { } rejects ? $" quarantined in {rejects}" : " skipped"));
        }

        if (result.BadTimes > 0)
        {
            WriteWarning($"{result.Source}: {result.BadTimes} record(s) have a '{TimeField}' that is not a time; " +
                         (_options!.BadTimePolicy == Conversion.BadTimePolicy.Quarantine
                             ? $"they were quarantined in {result.RejectsFile}."
                             : result.BadTimeDate is { } date ? $"they were written under date={date:yyyy-MM-dd}, the date in the file name (-BadTimePolicy Quarantine leaves them out)."
                             : "they were written under no date (-BadTimePolicy Quarantine leaves them out)."));
        }

        foreach (var warning in result.Warnings)
        {
            WriteWarning($"{result.Source}: {warning}");
        }

        foreach (var change in result.SchemaChanges)
        {
            WriteWarning($"{result.Source}: the dataset's {change} (Test-ParquetFile shows which in SchemaDifferences)");
        }
    }

    private void Consider(string path, FileActivityOutcome? activity)
    {
        if (!_seen.Add(path))
        {
            return;
        }

        if (activity?.Error is { } error)
        {
            // A row like every other failure, so a report built from the results lists this source too.
            WriteObject(new ConversionResult(path, [], 0, 0, false, 0, 0, TimeSpan.Zero, ConversionStatus.Failed, error.Message));
            WriteError(new ErrorRecord(error, error is FileNotFoundException ? "PathNotFound" : "FileUnreadable",
                error is FileNotFoundException ? ErrorCategory.ObjectNotFound : ErrorCategory.ReadError, path));
            return;
        }

        if (activity?.Activity is { IsActive: true } active)
        {
            WriteObject(new ConversionResult(path, [], 0, 0, active.Reasons.Contains(ActivityReason.TornTail), active.Length, 0,
                TimeSpan.Zero, ConversionStatus.Skipped, SkipReason.For(active)));
            return;
        }

        if (ShouldProcess($"{path} -> {_options!.Destination}", "Convert to Parquet"))
        {
            _sources.Add(path);
        }
    }

    // Lists and structs are only inferred: their shape comes from the data, not from a type name.
    private static readonly ColumnKind[] GivenKinds =
        [ColumnKind.Boolean, ColumnKind.Int64, ColumnKind.Double, ColumnKind.String, ColumnKind.Timestamp, ColumnKind.Json];

    private Dictionary<string, ColumnKind> GivenSchema() => GivenSchema(this, Schema);

    /// <summary>-Schema as Convert-JsonlToParquet reads it (Start-Collector -Format Parquet reads it the same way).</summary>
    internal static Dictionary<string, ColumnKind> GivenSchema(PSCmdlet cmdlet, System.Collections.IDictionary? Schema)
    {
        var schema = new Dictionary<string, ColumnKind>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Schema ?? new System.Collections.Hashtable())
        {
            var name = entry.Key?.ToString();
            var value = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
            ColumnKind? kind = value switch
            {
                Type t when t == typeof(bool) => ColumnKind.Boolean,
                Type t when t == typeof(long) || t == typeof(int) => ColumnKind.Int64,
                Type t when t == typeof(double) || t == typeof(float) || t == typeof(decimal) => ColumnKind.Double,
                Type t when t == typeof(string) => ColumnKind.String,
                Type t when t == typeof(DateTime) || t == typeof(DateTimeOffset) => ColumnKind.Timestamp,
                string text => GivenKinds.Cast<ColumnKind?>().FirstOrDefault(k => string.Equals(k.ToString(), text, StringComparison.OrdinalIgnoreCase)),
                _ => null,
            };
            if (string.IsNullOrEmpty(name) || kind is null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException(
                    $"-Schema entry '{name}' = '{value}' is not a column type. Use Boolean, Int64, Double, String, Timestamp or Json " +
                    "(or [bool], [long], [double], [string], [datetime])."), "InvalidSchema", ErrorCategory.InvalidArgument, Schema));
            }

            schema[name!] = kind!.Value;
        }

        return schema;
    }


    /// <summary>Hands progress from worker threads to the pipeline thread.</summary>
    private sealed class Progress(BlockingCollection<object> messages) : IProgress<ConversionProgress>
    {
        public void Report(ConversionProgress value) => messages.Add(value);
    }
}
