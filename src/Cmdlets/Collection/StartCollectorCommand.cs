using System.Collections;
using System.Management.Automation;
using PipelineOps.Collection;
using PipelineOps.Collection.Sources;
using PipelineOps.Paths;

namespace PipelineOps.Commands;

/// <summary>Start-Collector: 24/7 append-only collection into date/hour-rotated files.</summary>
[Cmdlet(VerbsLifecycle.Start, "Collector", DefaultParameterSetName = DemoSet, SupportsShouldProcess = true, HelpUri = HelpLinks.Docs + "Start-Collector.md")]
[OutputType(typeof(CollectorStatus))]
public sealed partial class StartCollectorCommand : PSCmdlet, IDisposable
{
    private const string UriSet = "Uri";
    private const string DemoSet = "Demo";
    private const string PipelineSet = "Pipeline";

    private readonly CancellationTokenSource _stopping = new();
    private Collector? _collector;

    [Parameter(Mandatory = true, Position = 0, ParameterSetName = UriSet)]
    [ValidateNotNull]
    public Uri? Uri { get; set; }

    /// <summary>JSON messages sent after each WebSocket connect (a subscribe request).</summary>
    [Parameter(ParameterSetName = UriSet)]
    [ValidateNotNull]
    public string[] Subscribe { get; set; } = [];

    /// <summary>Reconnect when a WebSocket feed sends nothing for this long.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [DurationTransformation]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an HTTP endpoint is polled.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [DurationTransformation]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The upper bound of the reconnect backoff.</summary>
    [Parameter(ParameterSetName = UriSet)]
    [DurationTransformation]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(1);

    [Parameter(ParameterSetName = DemoSet)]
    public SwitchParameter Demo { get; set; }

    [Parameter(ParameterSetName = DemoSet)]
    [ValidateRange(1, 1_000_000)]
    public int Rate { get; set; } = 50;

    [Parameter(ParameterSetName = DemoSet)]
    public int? Seed { get; set; }

    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PipelineSet)]
    [AllowNull]
    public object? InputObject { get; set; }

    /// <summary>The folder the collector writes into (-Directory before: the output folder is -Destination everywhere).</summary>
    [Parameter]
    [Alias("Directory")]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = "data";

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Stream { get; set; }

    [Parameter]
    [ValidateNotNullOrEmpty]
    public string StreamField { get; set; } = "type";

    /// <summary>Field values to stream names; by default l2update and snapshot go to level2.</summary>
    [Parameter]
    [ValidateNotNull]
    public IDictionary? StreamMap { get; set; }

    [Parameter]
    [ValidateSet(nameof(Collection.Rotation.Daily), nameof(Collection.Rotation.Hourly))]
    public string Rotation { get; set; } = nameof(Collection.Rotation.Daily);

    /// <summary>A time zone id (Europe/Berlin); UTC by default.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(TimeZoneCompleter))]
    public string TimeZone { get; set; } = "UTC";

    [Parameter]
    [ValidatePattern(@"^\.[A-Za-z0-9]{1,16}$")]
    public string Extension { get; set; } = ".jsonl";

    [Parameter]
    [ValidateRange(1, 1_000_000)]
    public int FlushCount { get; set; } = 100;

    [Parameter]
    [DurationTransformation]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Parameter]
    [ValidateSet(nameof(Collection.Durability.Flush), nameof(Collection.Durability.Fsync))]
    public string Durability { get; set; } = nameof(Collection.Durability.Flush);

    [Parameter]
    [ValidateRange(1, 10_000_000)]
    public int QueueSize { get; set; } = 10_000;

    [Parameter]
    [ValidateSet(nameof(Collection.Backpressure.Drop), nameof(Collection.Backpressure.Block))]
    public string Backpressure { get; set; } = nameof(Collection.Backpressure.Drop);

    /// <summary>Start a new sequence-numbered file for the current period instead of appending to it.</summary>
    [Parameter]
    public SwitchParameter NoResume { get; set; }

    /// <summary>Stop by itself after this long.</summary>
    [Parameter]
    [DurationTransformation]
    public TimeSpan? Duration { get; set; }

    /// <summary>Block until the collector stops (Ctrl+C, Stop-Collector, -Duration, SIGTERM under pipelineops).</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    // -Format Parquet: Parquet segments under active/ and ready/ (Core/Segments).

    [Parameter]
    [ValidateSet("JsonLines", "Parquet")]
    public string Format { get; set; } = "JsonLines";

    /// <summary>Record fields whose values make the Hive folders of the segments (Parquet only).</summary>
    [Parameter]
    [ValidateNotNull]
    public string[] PartitionBy { get; set; } = [];

    [Parameter]
    [ValidateRange(1024L, long.MaxValue)]
    public long SegmentMaxSize { get; set; } = Segments.SegmentOptions.DefaultSegmentMaxSize;

    [Parameter]
    [ValidateRange(1, 100_000)]
    public int MaxOpenSegments { get; set; } = 256;

    [Parameter]
    [ValidateNotNull]
    public IDictionary? Schema { get; set; }

    /// <summary>The field whose value is the checkpoint's last record time (and, in Parquet, the Timestamp column).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string TimeField { get; set; } = "time";

    /// <summary>The field whose value is the checkpoint's last sequence.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string SequenceField { get; set; } = "sequence";

    private Segments.SegmentOptions? SegmentOptionsOf()
    {
        if (Format != "Parquet")
        {
            foreach (var name in new[] { nameof(PartitionBy), nameof(SegmentMaxSize), nameof(MaxOpenSegments), nameof(Schema) })
            {
                if (MyInvocation.BoundParameters.ContainsKey(name))
                {
                    throw Terminate(new ArgumentException($"-{name} applies to -Format Parquet only."), "ParquetOnlyParameter", name);
                }
            }

            return null;
        }

        return new Segments.SegmentOptions
        {
            PartitionBy = PartitionBy,
            SegmentMaxSize = SegmentMaxSize,
            MaxBufferSize = MaxBufferSize,
            MaxOpenSegments = MaxOpenSegments,
            Schema = ConvertJsonlToParquetCommand.GivenSchema(this, Schema),
            SchemaOrderGiven = Schema is System.Collections.Specialized.IOrderedDictionary,
        };
    }

    protected override void BeginProcessing()
    {
        if (ParameterSetName == DemoSet && !Demo)
        {
            // Never a silent default: fake market data in a real data folder is worse than an error.
            throw Terminate(new ArgumentException(
                "Start-Collector needs a source: -Uri wss://... (or http://...), objects piped in, or -Demo for the built-in " +
                "synthetic market feed (fake BTC-USD/ETH-USD records; give it a folder of its own)."), "SourceRequired", null);
        }

        var directory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
        DestinationCheck.RequireFolder(this, nameof(Destination), Destination, directory);
        if (!ShouldProcess(directory, "Start collecting"))
        {
            return;
        }

        var options = BuildOptions(directory);
        var source = ParameterSetName switch
        {
            UriSet => SourceFor(Uri!),
            PipelineSet => null,
            _ => (IRecordSource)new DemoSource(Rate, Seed),
        };
        _collector = new Collector(options, source);
        _collector.Start();
        CollectorRegistry.Add(_collector, System.Management.Automation.Runspaces.Runspace.DefaultRunspace?.InstanceId);
        WriteVerbose($"Collector {_collector.Id}: {_collector.Source} -> {directory}");
        if (Duration is { } duration)
        {
            _ = Task.Delay(duration).ContinueWith(_ => _collector.StopAsync(), TaskScheduler.Default);
        }
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName != PipelineSet || _collector is null || InputObject is null)
        {
            return;
        }

        if ((InputObject is PSObject { BaseObject: string text } ? text : InputObject as string) is { } json
            && PipelineOps.Text.JsonLineRules.HasLoneSurrogate(json))
        {
            // UTF-8 cannot carry half a surrogate pair: say so rather than let the encoder turn it into U+FFFD unseen.
            WriteWarning("A piped record holds an unpaired surrogate character, which UTF-8 cannot store; it is written as U+FFFD.");
        }

        try
        {
            _collector.PostAsync(PSObjectJson.Serialize(InputObject), _stopping.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            // stopped (-Duration, Stop-Collector): the rest of the pipeline is not collected
        }

        EmitWarnings();
    }

    protected override void EndProcessing()
    {
        if (_collector is null)
        {
            return;
        }

        if (ParameterSetName == PipelineSet || Wait)
        {
            WaitUntilStopped();
        }

        EmitWarnings();
        WriteObject(CollectorRegistry.Status(_collector));
        if (_collector.State == CollectorState.Failed)
        {
            WriteError(new ErrorRecord(new IOException($"Collector {_collector.Id} failed: {_collector.Stats.LastError}"),
                "CollectorFailed", ErrorCategory.WriteError, CollectorRegistry.Status(_collector)));
        }
    }

    private void WaitUntilStopped()
    {
        var collector = _collector!;
        if (ParameterSetName == PipelineSet)
        {
            collector.StopAsync().GetAwaiter().GetResult();
        }

        var progress = new ProgressRecord(1, $"Collector {collector.Id}", collector.Source);
        while (!collector.Completion.Wait(TimeSpan.FromSeconds(1)))
        {
            if (_stopping.IsCancellationRequested)
            {
                collector.StopAsync().GetAwaiter().GetResult();
                break;
            }

            EmitWarnings();
            var s = collector.Stats;
            progress.StatusDescription = $"{s.Received:N0} received, {s.Flushed:N0} flushed, {s.Dropped:N0} dropped, {s.Reconnects} reconnects, {s.Errors} errors";
            progress.CurrentOperation = string.Join(", ", collector.CurrentFiles.Select(System.IO.Path.GetFileName));
            WriteProgress(progress);
        }

        progress.RecordType = ProgressRecordType.Completed;
        WriteProgress(progress);
    }

    /// <summary>Ctrl+C, or SIGTERM under pipelineops: stop gracefully (final flush) instead of abandoning the buffer.</summary>
    protected override void StopProcessing()
    {
        _stopping.Cancel();
        if (_collector is null)
        {
            return;
        }

        _collector.StopAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();
        try
        {
            // The pipeline is stopping, so no object can be written: say on the host what the run did.
            Host.UI.WriteLine(CollectorRegistry.Summary(_collector));
        }
        catch (Exception e) when (e is PipelineStoppedException or NotImplementedException or InvalidOperationException)
        {
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    private void EmitWarnings()
    {
        if (_collector is not null)
        {
            CollectorRegistry.ShowWarnings(_collector, WriteWarning);
        }
    }

    private IRecordSource SourceFor(Uri uri) => uri.Scheme switch
    {
        "ws" or "wss" => WebSocketSourceFor(uri),
        "http" or "https" => HttpPollSourceFor(uri),
        _ => throw Terminate(new ArgumentException($"-Uri must be ws://, wss://, http:// or https://, not '{uri.Scheme}'."), "UnsupportedUri", uri),
    };

    private CollectorOptions BuildOptions(string directory)
    {
        TimeZoneInfo zone;
        try
        {
            zone = TimeZone.Equals("UTC", StringComparison.OrdinalIgnoreCase) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(TimeZone);
        }
        catch (TimeZoneNotFoundException e)
        {
            throw Terminate(e, "TimeZoneNotFound", TimeZone);
        }

        DurationChecks.RequirePositive(this, nameof(FlushInterval), FlushInterval);
        DurationChecks.RequirePositive(this, nameof(StallTimeout), StallTimeout);
        DurationChecks.RequirePositive(this, nameof(Interval), Interval);
        DurationChecks.RequirePositive(this, nameof(MaxBackoff), MaxBackoff);
        DurationChecks.RequirePositive(this, nameof(Duration), Duration ?? TimeSpan.MaxValue);

        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (StreamMap is null)
        {
            map["l2update"] = "level2";
            map["snapshot"] = "level2";
        }
        else
        {
            foreach (DictionaryEntry entry in StreamMap)
            {
                map[entry.Key.ToString()!] = entry.Value?.ToString() ?? "data";
            }
        }

        return new CollectorOptions
        {
            Directory = directory,
            Extension = Extension,
            Rotation = Enum.Parse<Collection.Rotation>(Rotation),
            TimeZone = zone,
            StreamField = StreamField,
            StreamMap = map,
            Stream = Stream,
            FlushCount = FlushCount,
            FlushInterval = FlushInterval,
            Durability = Enum.Parse<Collection.Durability>(Durability),
            QueueSize = QueueSize,
            MaxBufferSize = MaxBufferSize,
            Backpressure = ParameterSetName == UriSet && Uri!.Scheme.StartsWith("ws", StringComparison.Ordinal)
                ? Enum.Parse<Collection.Backpressure>(Backpressure)
                : Collection.Backpressure.Block,
            Resume = !NoResume,
            Segments = SegmentOptionsOf(),
            TimeField = TimeField,
            SequenceField = SequenceField,
        };
    }

    private Exception Terminate(Exception e, string id, object? target)
    {
        ThrowTerminatingError(new ErrorRecord(e, id, ErrorCategory.InvalidArgument, target));
        return e;
    }
}
